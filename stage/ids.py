"""Opaque public identifiers. Database integers never leave the platform."""

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
