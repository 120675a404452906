"""What of a backend's answer reaches the caller, by origin.

On the platform's origin (`/stage/<sid>/api/*`) nothing a backend answers may act in a browser as the platform.
Only headers that describe the data pass (an allow-list: its type, encoding, caching, CORS, the app's own `X-`
headers); everything that would change what a browser does there (cookies, CSP, framing, HSTS, opener policy,
redirects, credential prompts, hints, service workers) is dropped, and the answer is sandboxed:
`Content-Security-Policy: sandbox; default-src 'none'; frame-ancestors 'none'` (no scripts, no subresources,
never framed), never sniffed. The platform's own HSTS and opener policy then apply (SecurityMiddleware).

On the app's own origin the answer passes as written, but for three things: cookies are made host-only (a
`Domain` attribute would reach its neighbours under the apps domain), a second policy sandboxes any document it
serves into an opaque origin (so its scripts cannot set cookies for the apps domain or register a service
worker over the origin's `/`, which the platform serves), and headers a front proxy would obey
(`X-Accel-Redirect`, `X-Sendfile`) are dropped.
"""

import json
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie

from django.http import HttpResponse

from published_api.errors import BackendError
from published_api.forwarding import HOP_BY_HOP
from published_api.gateway_call import Answer

RUNTIME_ERROR_HEADER = "x-stage-runtime-error"
INERT_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
OWN_ORIGIN_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"
DATA_HEADERS = {
    "content-type", "content-language", "content-encoding", "cache-control", "expires", "etag", "last-modified",
    "vary", "retry-after", "age", "pragma", "date",
}  # fmt: skip
BROWSER_X_HEADERS = {
    "x-frame-options", "x-content-type-options", "x-xss-protection", "x-dns-prefetch-control",
    "x-permitted-cross-domain-policies", "x-download-options", "x-ua-compatible",
}  # fmt: skip
PROXY_HEADERS = ("x-accel-", "x-sendfile", "x-lighttpd-send-file")


def _obeyed_by_proxy(name: str) -> bool:
    return name.startswith(PROXY_HEADERS)


def _describes_data(name: str) -> bool:
    """The allow-list of the platform's origin."""
    if name in DATA_HEADERS or name.startswith("access-control-"):
        return True
    return name.startswith("x-") and name not in BROWSER_X_HEADERS and not _obeyed_by_proxy(name)


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


def _copy(response: HttpResponse, key: str, value: str) -> None:
    lower = key.lower()
    if lower in response.headers and lower != "content-type":
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


def inert_answer(reply) -> Answer:
    """The backend's answer as the platform's origin serves it: data, never a document that acts."""
    _raise_runtime_error(reply)
    answer = Answer(reply.status, reply.body)
    for key, value in reply.headers:
        if _describes_data(key.lower()) and key.lower() not in HOP_BY_HOP:
            answer.add(key, value)
    answer["Content-Security-Policy"] = INERT_POLICY
    answer["X-Content-Type-Options"] = "nosniff"
    answer["X-Frame-Options"] = "DENY"
    return answer


def own_origin_answer(reply) -> HttpResponse:
    """The backend's answer as the app's own origin serves it: as written, cookies host-only, documents opaque."""
    _raise_runtime_error(reply)
    response = HttpResponse(reply.body, status=reply.status)
    for key, value in reply.headers:
        lower = key.lower()
        if lower in HOP_BY_HOP or _obeyed_by_proxy(lower) or lower == "service-worker-allowed":
            continue
        if lower == "set-cookie":
            _load_host_only_cookie(response, value)
        else:
            _copy(response, key, value)
    policies = [response.headers.get("Content-Security-Policy"), OWN_ORIGIN_POLICY]
    response.headers["Content-Security-Policy"] = ", ".join(policy for policy in policies if policy)
    return response
