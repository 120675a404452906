"""Routes on an app's own origin (<label>.<STAGE_APPS_DOMAIN>): its UI at /, its backend at /api.

Nothing of the platform is routed here: no admin, no REST API, no preview pages.
"""

from django.urls import include, path, re_path

from published_api.gateway import origin_gateway
from stage.origins import views

urlpatterns = [
    path("", views.app_ui),
    path("__stage/frame", views.app_ui_frame),
    path("", include("stage.preview.shared_urls")),
    path("api", origin_gateway),
    re_path(r"^api(?P<path>/.*)$", origin_gateway),
]
