"""What of a caller's request reaches an app's backend.

Hop-by-hop headers and the headers the platform injects are dropped, and so is every platform credential: a
Stage API key in Authorization (in any shape), the preview link (query parameter, cookie, and a Referer that
carries it). On the platform's origin the browser would also send the platform's own cookies and any Basic
credentials it keeps for the platform (a proxy's, say): there, no Cookie header passes at all, and Authorization
only as a Bearer token. Tenant code never sees a credential of the platform, even one sent to it by mistake.
"""

from urllib.parse import unquote

from django.conf import settings

from core.errors import PayloadTooLarge, ValidationFailed
from published_api.gateway_call import Call
from stage.origins.access import is_platform_key
from stage.origins.preview_links import PARAM, cookie_name

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "host",
}  # fmt: skip
COMPUTE_HEADER = "x-stage-compute"  # the platform calling a compute function on the serve socket
DRAIN_HEADER = "x-stage-drain"  # the platform asking a sandbox to finish its requests and exit
LOAD_HEADER = "x-stage-load"  # the platform handing a warm sandbox its app
INJECTED = {"x-stage-app", "x-stage-session", COMPUTE_HEADER, DRAIN_HEADER, LOAD_HEADER, "x-stage-runtime-error"}


def _without_preview_cookie(cookie: str) -> str:
    name = cookie_name()
    kept = [part.strip() for part in cookie.replace(",", ";").split(";") if part.split("=", 1)[0].strip() != name]
    return "; ".join(part for part in kept if part)


def _checked_host(host: str) -> str:
    port = "" if host.endswith("]") else host.rpartition(":")[2] if ":" in host else ""
    if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise ValidationFailed("The Host header names an invalid port.")
    return host


def _passes(key: str, value: str, *, platform_origin: bool) -> str | None:
    """The value a header reaches the backend with, or None when it is dropped."""
    lower = key.lower()
    if lower in HOP_BY_HOP or lower in INJECTED:
        return None
    if lower == "authorization":
        if is_platform_key(value) or (platform_origin and not value.lower().startswith("bearer ")):
            return None
    elif lower == "cookie":
        return None if platform_origin else (_without_preview_cookie(value) or None)
    elif lower == "referer" and PARAM in value:
        return None
    return value


def request_headers(call: Call, *, platform_origin: bool) -> list[tuple[str, str]]:
    headers = []
    for key, value in call.headers:
        passed = _passes(key, value, platform_origin=platform_origin)
        if passed is not None:
            headers.append((key, passed))
    host = call.header("host")
    if host:
        headers.append(("host", _checked_host(host)))
    return headers


def query_string(call: Call) -> str:
    """The raw query string, byte for byte, less the preview link's parameter."""
    raw = call.raw_query
    return "&".join(part for part in raw.split("&") if part and unquote(part.split("=", 1)[0]) != PARAM)


def read_body(call: Call) -> bytes:
    declared = call.header("content-length") or "0"
    limit = settings.STAGE_BACKEND_MAX_REQUEST_BYTES
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
    body = call.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
    return body
