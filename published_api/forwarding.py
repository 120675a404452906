"""What of a caller's request reaches an app's backend.

Hop-by-hop headers and the headers the platform injects are dropped, and so is every platform credential:
a Stage API key in Authorization, and the preview link (query parameter and cookie). Tenant code never sees a
credential of the platform, even one sent to it by mistake.
"""

from urllib.parse import unquote

from django.conf import settings

from stage.errors import PayloadTooLarge
from stage.origins.access import is_platform_key
from stage.origins.preview_links import PARAM

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "host",
}  # fmt: skip
COMPUTE_HEADER = "x-stage-compute"  # the platform calling a compute function on the serve socket
INJECTED = {"x-stage-app", "x-stage-session", COMPUTE_HEADER, "x-stage-runtime-error"}


def _without_preview_cookie(cookie: str) -> str:
    kept = [part for part in cookie.split(";") if part.split("=", 1)[0].strip() != PARAM]
    return ";".join(kept).strip()


def request_headers(request) -> list[tuple[str, str]]:
    headers = []
    for key, value in request.headers.items():
        lower = key.lower()
        if lower in HOP_BY_HOP or lower in INJECTED:
            continue
        if lower == "authorization" and is_platform_key(value):
            continue
        if lower == "cookie":
            value = _without_preview_cookie(value)
            if not value:
                continue
        headers.append((key, value))
    host = request.headers.get("host")
    if host:
        headers.append(("host", host))
    return headers


def query_string(request) -> str:
    """The raw query string, byte for byte, less the preview link's parameter."""
    raw = request.META.get("QUERY_STRING", "")
    return "&".join(part for part in raw.split("&") if part and unquote(part.split("=", 1)[0]) != PARAM)


def read_body(request) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.STAGE_BACKEND_MAX_REQUEST_BYTES
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
    body = request.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
    return body
