"""Routes on a session's preview origin (s-<session id>.<STAGE_APPS_DOMAIN>): only the sandboxed frame."""

from django.urls import path

from stage.preview import views

urlpatterns = [
    path("frame", views.session_frame),
]
