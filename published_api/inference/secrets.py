"""API keys stored in the database are encrypted (core.crypto) under their own purpose."""

from core import crypto

PURPOSE = "stage-inference-provider-key"


def encrypt(value: str) -> str:
    return crypto.encrypt(value, purpose=PURPOSE)


def decrypt(token: str) -> str:
    return crypto.decrypt(token, purpose=PURPOSE) or ""  # unreadable: the key must be entered again
