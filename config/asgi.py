"""The ASGI entry point (`make serve`): backend traffic asynchronous, everything else as WSGI in threads.

Backend traffic (the gateway's path on the platform, `/api/*` on app origins: stage/origins/routing.py) goes to
the gateway's own handler (published_api/asgi.py): a request waiting on an app's backend holds a socket, not a
thread. So do the previews' event streams (stage/preview/events.py). Everything else (the REST API, the admin,
previews, app UIs) is synchronous Django and goes to the WSGI handler on a bounded pool of STAGE_WEB_THREADS
threads per process (a2wsgi), one thread hop each; Django's own ASGI handler would hop between the event loop and
a thread around every middleware.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

platform_app = get_wsgi_application()  # sets Django up first
from a2wsgi import WSGIMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402

from published_api.asgi import GatewayHandler  # noqa: E402
from stage.origins.names import UnknownOrigin, origin_of  # noqa: E402
from stage.origins.routing import is_backend_request  # noqa: E402
from stage.preview.events import asgi_preview_events, is_preview_events  # noqa: E402

platform = WSGIMiddleware(platform_app, workers=settings.STAGE_WEB_THREADS)
backends = GatewayHandler()


def _host(scope) -> str:
    return next((value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"host"), "")


def _on_platform_host(scope) -> bool:
    try:
        return origin_of(_host(scope)) is None
    except UnknownOrigin:
        return False


async def application(scope, receive, send):
    if scope["type"] == "http" and is_backend_request(_host(scope), scope["path"]):
        return await backends(scope, receive, send)
    if scope["type"] == "http" and is_preview_events(scope["path"]) and _on_platform_host(scope):
        return await asgi_preview_events(scope, receive, send)  # a socket per open preview, not a thread
    return await platform(scope, receive, send)
