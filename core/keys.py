import hashlib
import secrets

from django.utils import timezone

from core.models import ApiKey

KEY_PREFIX = "stg_"
_SHOWN_PREFIX_LENGTH = 12


def hash_api_key(raw_key: str) -> str:
    # Keys are 240 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def apikey_create(*, user, name: str = "") -> tuple[ApiKey, str]:
    """Create a key for a user; return the row and the raw key, which is never stored or shown again."""
    raw_key = KEY_PREFIX + secrets.token_urlsafe(30)
    api_key = ApiKey.objects.create(
        user=user, name=name, prefix=raw_key[:_SHOWN_PREFIX_LENGTH], key_hash=hash_api_key(raw_key)
    )
    return api_key, raw_key


def apikey_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key
