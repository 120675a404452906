from django.urls import path, re_path

from published_api.gateway import gateway

urlpatterns = [
    path("<id:app_sid>/api", gateway),
    re_path(r"^(?P<app_sid>[^/]+)/api(?P<path>/.*)$", gateway),
]
