"""Answer requests to hosts under the apps domain from their own routes, apart from the platform.

Placed right after SecurityMiddleware: a request for an app's origin never reaches the session, CSRF,
authentication or messages middleware, so nothing the platform keeps for its users (sessions, CSRF cookies,
logins) exists on an app's origin, and no platform route (admin, API, previews) can be reached there.
"""

from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve

from stage.api.envelope import error_body
from stage.origins.names import SESSION, UnknownOrigin, origin_of


def _not_found(message: str) -> JsonResponse:
    return JsonResponse(error_body("NOT_FOUND", message), status=HTTPStatus.NOT_FOUND)


class AppOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            origin = origin_of(request.get_host())
        except UnknownOrigin as exc:
            return _not_found(f"Nothing is served at {exc}.")
        if origin is None:
            return self.get_response(request)
        request.app_origin = origin
        urlconf = settings.STAGE_SESSION_URLCONF if origin.kind == SESSION else settings.STAGE_APP_URLCONF
        try:
            match = resolve(request.path_info, urlconf=urlconf)
        except Resolver404:
            return _not_found("Not found on this app's origin: its UI is at / and its backend under /api.")
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
