"""Signed, expiring preview links: whoever holds one may open an app's preview and unpromoted versions.

The token is the app's sid and an expiry, signed with SECRET_KEY (Django's signing, so a key rotated into
SECRET_KEY_FALLBACKS keeps issued links valid). Nothing is stored: a link cannot be revoked before it expires,
so links are short-lived by default (STAGE_PREVIEW_LINK_SECONDS) and capped at STAGE_PREVIEW_LINK_MAX_SECONDS.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from core.errors import Unauthorized, ValidationFailed

SALT = "stage.origins.preview-link"
PARAM = "stage_preview"  # the query parameter a link carries


def cookie_name() -> str:
    """The cookie a link's token becomes on the app's origin: __Host- under https, so no other app (nor any
    host on the apps domain) can set or shadow it."""
    return f"__Host-{PARAM}" if settings.STAGE_APPS_SCHEME == "https" else PARAM


@dataclass(frozen=True)
class PreviewToken:
    value: str
    expires_at: int  # epoch seconds


def preview_token_mint(*, app_sid: str, expires_in: int | None = None) -> PreviewToken:
    """A token opening the app's preview for `expires_in` seconds (default STAGE_PREVIEW_LINK_SECONDS)."""
    seconds = settings.STAGE_PREVIEW_LINK_SECONDS if expires_in is None else expires_in
    if not 60 <= seconds <= settings.STAGE_PREVIEW_LINK_MAX_SECONDS:
        raise ValidationFailed(
            f"expiresIn must be between 60 and {settings.STAGE_PREVIEW_LINK_MAX_SECONDS} seconds",
            details={"expiresIn": ["Out of range."]},
        )
    expires_at = int(time.time()) + seconds
    return PreviewToken(signing.dumps({"app": app_sid, "exp": expires_at}, salt=SALT), expires_at)


def preview_token_check(*, token: str, app_sid: str) -> int:
    """The token's expiry when it opens this app's preview now; Unauthorized otherwise."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Unauthorized("This preview link is not valid.") from None
    if not isinstance(payload, dict) or payload.get("app") != app_sid or not isinstance(payload.get("exp"), int):
        raise Unauthorized("This preview link is not valid.")
    if payload["exp"] <= time.time():
        raise Unauthorized("This preview link has expired: ask the app's owner for a new one.")
    return payload["exp"]
