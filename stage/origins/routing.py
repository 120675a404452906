"""Which requests are tenant traffic, and which routes serve them: one answer for the middleware (which serves
tenant traffic apart from the platform's own pages) and for the ASGI entry point (which sends backend traffic
down its own asynchronous path).

Tenant traffic is every request to a host under the apps domain, and `/stage/<appSid>/api[/...]` on the
platform's own hosts (the gateway's path for API clients). Backend traffic is the part of it that reaches an
app's backend: that path, and `/api[/...]` on an app's origin.
"""

import re

from django.conf import settings

from stage.origins.names import SESSION, Origin, origin_of

GATEWAY_PREFIX = "/stage/"
_PLATFORM_GATEWAY = re.compile(r"^/stage/[^/]+/api(?:/|$)")
_ORIGIN_BACKEND = re.compile(r"^/api(?:/|$)")


def tenant_urlconf(origin: Origin | None, path: str) -> str | None:
    """The urlconf that serves a tenant request, or None for the platform's own pages.

    `origin` is what `origin_of` made of the Host (None for the platform's hosts; it raises UnknownOrigin for a
    name under the apps domain that is not one of ours).
    """
    if origin is not None:
        return settings.STAGE_SESSION_URLCONF if origin.kind == SESSION else settings.STAGE_APP_URLCONF
    if path.startswith(GATEWAY_PREFIX):
        return settings.STAGE_GATEWAY_URLCONF
    return None


def is_backend_request(host: str, path: str) -> bool:
    """For the ASGI entry point, before Django validates anything: does this request go to an app's backend?"""
    try:
        origin = origin_of(host)
    except Exception:
        return False
    if origin is None:
        return _PLATFORM_GATEWAY.match(path) is not None
    return origin.kind != SESSION and _ORIGIN_BACKEND.match(path) is not None
