"""The gateway's path on the platform's own hosts: /stage/<appSid>/api[/...] (served by TenantRoutesMiddleware)."""

from django.urls import include, path

urlpatterns = [
    path("stage/", include("published_api.urls")),
]
