"""JSON values that callers send to be stored: their size, and what PostgreSQL's jsonb cannot hold."""

import json

from core.errors import ValidationFailed


def stored_json_size(value, what: str) -> int:
    """Bytes of `value` as UTF-8 JSON; ValidationFailed naming `what` for what JSON or PostgreSQL cannot hold
    (NaN, infinities, NUL characters, lone surrogates) and for nesting deeper than Python's parser goes."""
    try:
        size = len(json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode())
    except UnicodeEncodeError:
        raise ValidationFailed(f"{what} must be valid Unicode text (no lone surrogates)") from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationFailed(f"{what} must be JSON (no NaN or Infinity, not nested too deep): {exc}") from None
    if _holds_nul(value):
        raise ValidationFailed(f"{what} must not contain NUL characters")
    return size


def _holds_nul(value) -> bool:
    """Whether any string in a JSON value, key or text, holds a NUL character."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
