from django.apps import AppConfig


class PublishedApiConfig(AppConfig):
    name = "published_api"

    def ready(self):
        from published_api.sandbox import checks  # noqa: F401  (registers the sandbox system check)
