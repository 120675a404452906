"""Opaque public identifiers. Database integers never leave the platform."""

import re
import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def random_token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_session_id() -> str:
    # Convex-like ("k77abc123def") but long enough to be unguessable: 'k' + 23 random characters.
    return "k" + random_token(23)


def new_prefixed_id(prefix: str) -> str:
    return f"{prefix}_{random_token(20)}"


PUBLIC_ID_PATTERN = r"[A-Za-z0-9_]{1,64}"
_PUBLIC_ID = re.compile(rf"^{PUBLIC_ID_PATTERN}$")


def is_public_id(value: object) -> bool:
    """Whether a value could be one of our ids at all; anything else is not looked up (no NUL reaches SQL)."""
    return isinstance(value, str) and _PUBLIC_ID.match(value) is not None


class PublicIdConverter:
    """URL converter for public ids: a malformed id is simply no route (404), never a database query."""

    regex = PUBLIC_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
