from django.apps import AppConfig


class PublishedApiConfig(AppConfig):
    name = "published_api"
