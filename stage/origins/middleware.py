"""Answer tenant traffic (hosts under the apps domain, and the gateway's path on the platform's hosts) from its
own routes, apart from the platform (stage/origins/routing.py says which requests those are).

Placed right after SecurityMiddleware: tenant traffic never reaches the session, CSRF, authentication or messages
middleware, so nothing the platform keeps for its users (sessions, CSRF cookies, logins) exists on an app's
origin, no platform route (admin, API, previews) can be reached there, and the gateway's requests pay for none
of them. Asynchronous all the way when the server is (the gateway's views are async).
"""

import functools
from http import HTTPStatus

from asgiref.sync import async_to_sync, iscoroutinefunction, sync_to_async
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.decorators import sync_and_async_middleware

from core.api.envelope import error_body
from stage.origins.names import UnknownOrigin, origin_of
from stage.origins.routing import tenant_urlconf


def _not_found(message: str) -> JsonResponse:
    return JsonResponse(error_body("NOT_FOUND", message), status=HTTPStatus.NOT_FOUND)


@functools.lru_cache(maxsize=4096)
def tenant_resolve(path: str, urlconf: str):
    """Tenant routes are fixed at start and every backend request resolves one: remember the recent matches."""
    return resolve(path, urlconf=urlconf)


def _route(request):
    """The route match for tenant traffic, a response when it cannot be served, or None for the platform."""
    try:
        origin = origin_of(request.get_host())
    except UnknownOrigin as exc:
        return _not_found(f"Nothing is served at {exc}.")
    urlconf = tenant_urlconf(origin, request.path_info)
    if urlconf is None:
        return None
    request.app_origin = origin
    try:
        match = tenant_resolve(request.path_info, urlconf)
    except Resolver404:
        if origin is None:
            return None  # a path under /stage/ that is not the gateway's: the platform's 404
        return _not_found("Not found on this app's origin: its UI is at / and its backend under /api.")
    request.resolver_match = match
    return match


@sync_and_async_middleware
def TenantRoutesMiddleware(get_response):
    if iscoroutinefunction(get_response):

        async def middleware(request):
            match = _route(request)
            if match is None:
                return await get_response(request)
            if isinstance(match, JsonResponse):
                return match
            view = match.func if iscoroutinefunction(match.func) else sync_to_async(match.func)
            return await view(request, *match.args, **match.kwargs)

    else:

        def middleware(request):
            match = _route(request)
            if match is None:
                return get_response(request)
            if isinstance(match, JsonResponse):
                return match
            view = match.func
            if iscoroutinefunction(view):
                return async_to_sync(view)(request, *match.args, **match.kwargs)
            return view(request, *match.args, **match.kwargs)

    return middleware
