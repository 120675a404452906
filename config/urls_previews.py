"""Routes on a session's preview origin (s-<session id>.<STAGE_APPS_DOMAIN>): only the sandboxed frame and the
shared libraries it runs on."""

from django.urls import include, path

from stage.preview import views

urlpatterns = [
    path("frame", views.session_frame),
    path("", include("stage.preview.shared_urls")),
]
