"""The templated HTTP answer of a run. Headers are limited to safe, well-formed names and values."""

import re

from workflows.blocks import fields
from workflows.registry import StepContext, register

_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
_FORBIDDEN = {
    "connection",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "set-cookie",
    "www-authenticate",
    "location",
    "host",
    "upgrade",
    "trailer",
    "keep-alive",
}


def _clean(ctx: StepContext, config: dict) -> dict:
    status = fields.integer(ctx, config, "status", minimum=200, maximum=599) if "status" in config else 200
    headers = {}
    for name, value in fields.mapping(ctx, config, "headers").items():
        if not _HEADER_NAME.match(name) or name.lower() in _FORBIDDEN:
            raise fields.invalid(ctx, f"headers.{name[:64]}", "header not allowed")
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or len(value) > 2000 or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise fields.invalid(ctx, f"headers.{name}", "a header value must be a single line of text")
        headers[name] = value
    return {"status": status, "headers": headers, "body": config.get("body")}


@register("response", required=["body"], optional=["status", "headers"], preview=_clean)
def response(ctx: StepContext, config: dict) -> dict:
    """Answer the HTTP request with this status, headers and body."""
    return _clean(ctx, config)
