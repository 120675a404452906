import re

from core.errors import ValidationFailed
from stage.models import Session

# Google OAuth scopes are URLs under www.googleapis.com/auth/, plus the three OpenID Connect short names.
_SCOPE_URL = re.compile(r"^https://www\.googleapis\.com/auth/[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$")
_OPENID_SCOPES = {"openid", "email", "profile"}
MAX_SCOPES = 50


def google_scopes_set(*, session: Session, scopes: list) -> list[str]:
    if not isinstance(scopes, list):
        raise ValidationFailed("scopes must be a list of Google OAuth scope URLs", details={"scopes": ["Not a list."]})
    if len(scopes) > MAX_SCOPES:
        raise ValidationFailed(f"At most {MAX_SCOPES} scopes", details={"scopes": ["Too many."]})
    bad = [s for s in scopes if not (isinstance(s, str) and (_SCOPE_URL.match(s) or s in _OPENID_SCOPES))]
    if bad:
        raise ValidationFailed(
            f"Not a Google OAuth scope: {bad[0]!r} (expected https://www.googleapis.com/auth/...)",
            details={"scopes": [f"Not a Google OAuth scope: {s!r}" for s in bad]},
        )
    unique = list(dict.fromkeys(scopes))
    Session.objects.filter(pk=session.pk).update(google_scopes=unique)
    session.google_scopes = unique
    return unique
