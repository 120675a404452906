"""Who may see a version that production has never served: its owner, or whoever holds a preview link.

Production is public, as the spec has it (an app does its own auth). A preview (the preview channel, or the
origin of a version that has never been in production) answers only to the app owner's API key
(`Authorization: Bearer stg_...`) or to a signed preview link (`?stage_preview=...`, kept as a host-only
cookie on the app's own origin). Another owner's key learns nothing: 404, as everywhere else.
"""

from rest_framework.exceptions import AuthenticationFailed

from stage.api.auth import api_key_from_header
from stage.errors import NotFound, Unauthorized
from stage.origins.preview_links import PARAM, preview_token_check
from stage.services.keys import KEY_PREFIX

_KEY_SCHEMES = ("bearer ", "convex ")


def is_platform_key(authorization: str) -> bool:
    """Whether an Authorization value carries a Stage API key (never handed on to tenant code)."""
    lowered = authorization.lower()
    return lowered.startswith(_KEY_SCHEMES) and authorization.split(" ", 1)[1].strip().startswith(KEY_PREFIX)


def preview_token(request) -> str | None:
    return request.GET.get(PARAM) or request.COOKIES.get(PARAM) or None


def preview_caller_check(request, *, app_sid: str, author_id: int) -> None:
    """Return when the caller may see the app's preview; raise Unauthorized (401) or NotFound (404) otherwise."""
    token = preview_token(request)
    if token:
        preview_token_check(token=token, app_sid=app_sid)
        return
    authorization = request.headers.get("authorization", "")
    if not is_platform_key(authorization):
        raise Unauthorized(
            f"The preview of {app_sid} is private: send the owner's API key (Authorization: Bearer stg_...) "
            "or open a preview link (stage apps preview-link)."
        )
    try:
        api_key = api_key_from_header(authorization.encode("latin-1", "replace"))
    except AuthenticationFailed as exc:
        raise Unauthorized(str(exc.detail)) from None
    if api_key is None or api_key.user_id != author_id:
        raise NotFound("App not found")
