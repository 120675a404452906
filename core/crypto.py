"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) under keys derived from SECRET_KEY, one key per purpose.

SECRET_KEY_FALLBACKS are tried when decrypting, so rotating SECRET_KEY the way Django documents it (the old key
moves to the fallbacks) keeps every stored secret readable; new values are encrypted under the current key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(purpose: str, secret_key: str) -> Fernet:
    digest = hashlib.sha256(f"{purpose}:".encode() + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys(purpose: str) -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(purpose, key) for key in keys])


def encrypt(value: str, *, purpose: str) -> str:
    return _keys(purpose).encrypt(value.encode()).decode()


def decrypt(token: str, *, purpose: str) -> str | None:
    """The plain text, or None when no current or fallback key opens it (SECRET_KEY changed without a fallback)."""
    try:
        return _keys(purpose).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def is_token(value: str) -> bool:
    """Whether a stored string is a Fernet token (version byte 0x80) rather than a plain value from before."""
    return value.startswith("gAAAAA")
