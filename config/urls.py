from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core import observability
from core.api import errors as api_errors
from core.api.health import health, health_live, health_ready
from core.landing import favicon, landing
from stage.convex import views as convex

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", health),  # the CLI's: the database answers
    path("api/health/live", health_live),
    path("api/health/ready", health_ready),
    path("metrics", observability.metrics),  # Prometheus; keep it off the public internet at the proxy
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", landing, name="landing"),
    path("favicon.ico", favicon),
    path("api/v1/stage/", include("stage.api.urls")),
    path("api/v1/stage/", include("workflows.api.stage_urls")),  # app runs, run detail
    path("api/v1/", include("workflows.api.urls")),  # run/<appSid>/<workflow>, communication/...
    path("api/v1/stage/", include("published_api.compute.urls")),  # apps/<sid>/compute/{query,mutation,action}
    path("api/v1/inference/", include("published_api.inference.urls")),  # chat, embed, images, usage
    path("s/", include("stage.preview.urls")),  # public preview pages (renders)
    path("", include("stage.preview.shared_urls")),
    path("api/query", convex.QueryView.as_view()),
    path("api/mutation", convex.MutationView.as_view()),
    path("api/action", convex.ActionView.as_view()),
    # Anything else under /api/ is an enveloped 404, in DEBUG too.
    re_path(r"^api/", api_errors.not_found),
]

handler400 = "core.api.errors.bad_request"
handler404 = "core.api.errors.not_found"
handler500 = "core.api.errors.server_error"
