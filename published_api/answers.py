"""What of a backend's answer reaches the caller, by origin.

On the platform's origin (`/stage/<sid>/api/*`) nothing a backend answers may act in a browser as the
platform: the answer is sandboxed (`Content-Security-Policy: sandbox`, no scripts, no subresources, never
framed, no sniffing) whatever the backend asked for, and the backend's cookies, CSP, framing and other
browser-state headers are dropped. CORS headers pass: API clients in other origins still work.

On the app's own origin the answer passes as the backend wrote it, except that cookies are made host-only:
a `Domain` attribute would let one app set cookies for its neighbours under the apps domain.
"""

import json
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie

from django.http import HttpResponse

from published_api.errors import BackendError
from published_api.forwarding import HOP_BY_HOP

RUNTIME_ERROR_HEADER = "x-stage-runtime-error"
INERT_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
# Headers that change what a browser does on the origin they come from: the platform sets its own or none.
BROWSER_STATE = {
    "set-cookie", "set-cookie2", "content-security-policy", "content-security-policy-report-only",
    "x-frame-options", "x-content-type-options", "clear-site-data", "service-worker-allowed", "refresh",
    "report-to", "reporting-endpoints", "nel",
}  # fmt: skip


def _raise_runtime_error(reply) -> None:
    """A backend that threw is reported in the envelope (the harness marks its 500 with a header)."""
    if reply.status == HTTPStatus.INTERNAL_SERVER_ERROR and any(
        k.lower() == RUNTIME_ERROR_HEADER for k, _ in reply.headers
    ):
        try:
            message = json.loads(reply.body).get("message")
        except ValueError:
            message = None
        raise BackendError(message or None)


def _copy_headers(response: HttpResponse, headers, *, skip: set[str]) -> None:
    for key, value in headers:
        lower = key.lower()
        if lower in HOP_BY_HOP or lower in skip:
            continue
        if lower == "set-cookie":
            _load_host_only_cookie(response, value)
        elif lower in response.headers and lower != "content-type":
            response.headers[key] = f"{response.headers[key]}, {value}"
        else:
            response.headers[key] = value


def _load_host_only_cookie(response: HttpResponse, header: str) -> None:
    try:
        cookie = SimpleCookie(header)
    except CookieError:
        return
    for morsel in cookie.values():
        morsel["domain"] = ""
    response.cookies.update(cookie)


def inert_answer(reply) -> HttpResponse:
    """The backend's answer as the platform's origin serves it: data, never a document that acts."""
    _raise_runtime_error(reply)
    response = HttpResponse(reply.body, status=reply.status)
    _copy_headers(response, reply.headers, skip=BROWSER_STATE)
    response.headers["Content-Security-Policy"] = INERT_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def own_origin_answer(reply) -> HttpResponse:
    """The backend's answer as the app's own origin serves it: as written, cookies host-only."""
    _raise_runtime_error(reply)
    response = HttpResponse(reply.body, status=reply.status)
    _copy_headers(response, reply.headers, skip=set())
    return response
