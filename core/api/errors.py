"""Django-level error pages: under /api/ they answer in the envelope, elsewhere Django's own pages stand."""

from http import HTTPStatus

from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from core.api.envelope import json_error_response


def _is_api(request) -> bool:
    """Programs' paths (the API and published backends) answer in the envelope; pages stay HTML."""
    return request.path.startswith(("/api/", "/stage/"))


@csrf_exempt  # also the catch-all route under /api/: a PUT there is a JSON 404, not CSRF's HTML 403
def not_found(request, exception=None):
    if _is_api(request):
        return json_error_response(HTTPStatus.NOT_FOUND, "NOT_FOUND", f"No endpoint at {request.path}.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "Internal error.")
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if _is_api(request):
        return json_error_response(HTTPStatus.BAD_REQUEST, "VALIDATION_ERROR", "Bad request.")
    return defaults.bad_request(request, exception)
