"""The shared libraries' script, on every origin a frame is served from (the platform's, a session's, an app's)."""

from django.urls import re_path

from stage.preview import views

urlpatterns = [
    re_path(r"^__stage/shared/(?P<fingerprint>[0-9a-f]{64})\.js$", views.shared_libraries),
]
