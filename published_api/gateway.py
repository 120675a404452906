"""ANY /stage/<appSid>/api[/<path>]: the published gateway in front of each app's backend.

Public by design (the app does its own auth). Resolves the app and channel, finds the compiled backend for
the cache key (app sid, session id, lastDeployedAt, updatedAt, version), forwards the request with the
prefix stripped and X-Stage-App / X-Stage-Session injected, and hands back status, headers and body.
"""

import json
from http import HTTPStatus
from http.cookies import SimpleCookie

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.encoding import escape_uri_path
from django.views.decorators.csrf import csrf_exempt

from published_api.bridge import Caller
from published_api.compiler import bundle_for
from published_api.errors import BackendError
from published_api.runtime import supervisor
from published_api.selectors import backend_target
from stage.api.envelope import error_body
from stage.errors import PayloadTooLarge, StageError
from stage.limits import app_quota
from stage.models import Channel
from stage.observability import current_request_id

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "host",
}  # fmt: skip
INJECTED = {"x-stage-app", "x-stage-session", "x-stage-compute-token"}  # the last: compute calls (issue 6)
RUNTIME_ERROR_HEADER = "x-stage-runtime-error"


def _request_headers(request) -> list[tuple[str, str]]:
    headers = [
        (key, value)
        for key, value in request.headers.items()
        if key.lower() not in HOP_BY_HOP and key.lower() not in INJECTED and key.lower() != RUNTIME_ERROR_HEADER
    ]
    host = request.headers.get("host")
    if host:
        headers.append(("host", host))
    return headers


def _read_body(request) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.STAGE_BACKEND_MAX_REQUEST_BYTES
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
    body = request.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
    return body


def _response(reply) -> HttpResponse:
    if reply.status == HTTPStatus.INTERNAL_SERVER_ERROR and any(
        k.lower() == RUNTIME_ERROR_HEADER for k, _ in reply.headers
    ):
        try:
            message = json.loads(reply.body).get("message")
        except ValueError:
            message = None
        raise BackendError(message or None)
    response = HttpResponse(reply.body, status=reply.status)
    for key, value in reply.headers:
        lower = key.lower()
        if lower in HOP_BY_HOP:
            continue
        if lower == "set-cookie":
            response.cookies.load(SimpleCookie(value))
        elif lower in response.headers and lower != "content-type":
            response.headers[key] = f"{response.headers[key]}, {value}"
        else:
            response.headers[key] = value
    return response


def _error(error: StageError) -> JsonResponse:
    retry = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else None
    return JsonResponse(
        error_body(error.code, error.message, error.details), status=int(error.status_code), headers=retry
    )


@csrf_exempt
def gateway(request, app_sid: str, path: str = ""):
    channel = Channel.Name.PREVIEW if request.headers.get("x-stage-channel") == "preview" else Channel.Name.PRODUCTION
    try:
        target = backend_target(app_sid=app_sid, channel=channel)
        app_quota(target.app_sid, "backend_requests")
        body = _read_body(request)
        caller = Caller(app_sid=target.app_sid, session_id=target.session_id)
        process = supervisor.process_for(
            slot=(target.app_sid, channel),
            key=target.cache_key,
            caller=caller,
            bundle=lambda: bundle_for(version=target.version),
        )
        query = request.META.get("QUERY_STRING", "")
        headers = [*_request_headers(request), ("x-stage-app", caller.app_sid), ("x-stage-session", caller.session_id)]
        # the platform's request id, not a second copy of the caller's header, so backend logs can quote it
        headers = [h for h in headers if h[0].lower() != "x-request-id"] + [("x-request-id", current_request_id())]
        reply = process.forward(
            method=request.method,
            path=escape_uri_path(path or "/") + (f"?{query}" if query else ""),
            headers=headers,
            body=body,
        )
        return _response(reply)
    except StageError as error:
        return _error(error)
