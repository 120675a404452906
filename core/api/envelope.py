"""The response envelope: {"success": true, "data": ...} or {"success": false, "error": {code, message}}.

One renderer wraps successes, one exception handler turns every error (domain, DRF, Django, unexpected)
into the envelope, and one schema hook documents both in the OpenAPI schema.
"""

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.errors import StageError

logger = logging.getLogger(__name__)

_DRF_CODES = {
    exceptions.ParseError: ("VALIDATION_ERROR", None),
    exceptions.ValidationError: ("VALIDATION_ERROR", None),
    exceptions.AuthenticationFailed: ("UNAUTHORIZED", None),
    exceptions.NotAuthenticated: ("UNAUTHORIZED", "Authentication required: send Authorization: Bearer <API key>."),
    exceptions.PermissionDenied: ("FORBIDDEN", None),
    exceptions.NotFound: ("NOT_FOUND", None),
    exceptions.MethodNotAllowed: ("METHOD_NOT_ALLOWED", None),
    exceptions.NotAcceptable: ("NOT_ACCEPTABLE", None),
    exceptions.UnsupportedMediaType: ("UNSUPPORTED_MEDIA_TYPE", None),
    exceptions.Throttled: ("RATE_LIMITED", None),
}


def error_body(code: str, message: str, details=None) -> dict:
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"success": False, "error": error}


def _first_message(detail) -> str:
    """The first human sentence inside DRF's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def describe_exception(exc: Exception) -> tuple[int, dict, dict]:
    """Map any exception to (HTTP status, envelope body, extra headers)."""
    headers: dict[str, str] = {}
    if isinstance(exc, StageError):
        if getattr(exc, "retry_after", None):
            headers["Retry-After"] = str(exc.retry_after)
        return int(exc.status_code), error_body(exc.code, exc.message, exc.details), headers
    if isinstance(exc, DatabaseOperationalError | DatabaseInterfaceError):
        logger.warning("Database unavailable: %s", exc)
        headers["Retry-After"] = "5"
        body = error_body("UNAVAILABLE", "The database is unavailable; retry shortly.")
        return HTTPStatus.SERVICE_UNAVAILABLE, body, headers
    if isinstance(exc, Http404):
        return HTTPStatus.NOT_FOUND, error_body("NOT_FOUND", "Not found."), headers
    if isinstance(exc, PermissionDenied):
        return HTTPStatus.FORBIDDEN, error_body("FORBIDDEN", "You do not have permission to do this."), headers
    if isinstance(exc, RequestDataTooBig):
        return (
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            error_body("PAYLOAD_TOO_LARGE", "The request body is too large."),
            headers,
        )
    if isinstance(exc, exceptions.APIException):
        code, message = next(
            ((code, message) for cls, (code, message) in _DRF_CODES.items() if isinstance(exc, cls)),
            (str(exc.default_code).upper(), None),
        )
        details = exc.detail if isinstance(exc, exceptions.ValidationError) else None
        if isinstance(exc, exceptions.ParseError):
            message = f"Malformed request body: {exc.detail}"
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait + 0.999))
            details = {"retryAfter": int(exc.wait + 0.999)}
        if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
            headers["WWW-Authenticate"] = 'Bearer realm="stage"'
        return exc.status_code, error_body(code, message or _first_message(exc.detail), details), headers
    logger.exception("Unhandled exception in the API", exc_info=exc)
    return HTTPStatus.INTERNAL_SERVER_ERROR, error_body("INTERNAL", "Internal error."), headers


def envelope_exception_handler(exc, context):
    status, body, headers = describe_exception(exc)
    response = Response(body, status=status, headers=headers)
    response.exception = True
    return response


class EnvelopeJSONRenderer(JSONRenderer):
    """Wrap successful payloads in {"success": true, "data": ...}; errors arrive already enveloped."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and not getattr(response, "exception", False) and response.status_code < 400:
            data = {"success": True, "data": data}
        return super().render(data, accepted_media_type, renderer_context)


def json_error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status)


def stage_error_response(exc: StageError) -> JsonResponse:
    """A StageError answered by a plain Django view (outside DRF): the envelope, and Retry-After when it has one."""
    response = json_error_response(exc.status_code, exc.code, exc.message)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


# --- OpenAPI -------------------------------------------------------------------------------------------

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
        },
    },
}

ERROR_REF = {"$ref": "#/components/schemas/Error"}

_ERROR_STATUSES = {
    "400": "Invalid input (VALIDATION_ERROR).",
    "401": "Missing or invalid API key (UNAUTHORIZED).",
    "404": "No such resource for this key (NOT_FOUND).",
    "413": "Payload too large (PAYLOAD_TOO_LARGE).",
    "429": "Rate limited (RATE_LIMITED).",
}


def error_response(description: str) -> OpenApiResponse:
    """One operation's own error status (beyond the common ones the hook adds), enveloped like every error."""
    return OpenApiResponse(dict(ERROR_REF), description=description)


# On an operation (`extend_schema(extensions={NULLABLE_DATA: True})`): its `data` may be null (nothing there yet).
NULLABLE_DATA = "x-stage-nullable-data"


def envelope_schema_hook(result, generator, request, public):
    """Document every JSON response of /api/v1 inside the envelope, and the enveloped errors."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            nullable = operation.pop(NULLABLE_DATA, False)
            for status, response in responses.items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {}).get("application/json")
                if content is None:
                    continue
                data = content.get("schema", {})
                if nullable:
                    data = {"allOf": [data], "nullable": True}
                content["schema"] = {
                    "type": "object",
                    "required": ["success", "data"],
                    "properties": {"success": {"type": "boolean", "enum": [True]}, "data": data},
                }
            for status, description in _ERROR_STATUSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": dict(ERROR_REF)}},
                    },
                )
    return result
