"""Who may see a version production is not serving: its owner, or whoever holds a preview link.

Production is public, as the spec has it (an app does its own auth). Anything else (the preview channel, the
origin of any version production is not serving now) answers only to the app owner's API key
(`Authorization: Bearer stg_...`) or to a signed preview link (`?stage_preview=...`, kept as a host-only cookie
on the app's own origin). Another owner's key learns nothing: 404, as everywhere else.
"""

from rest_framework.exceptions import AuthenticationFailed

from core.api.auth import api_key_from_header
from core.errors import NotFound, StageError, Unauthorized
from core.keys import KEY_PREFIX
from stage.origins.preview_links import PARAM, cookie_name, preview_token_check

_KEY_SCHEMES = ("bearer ", "convex ")
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Vary": "Authorization, Cookie"}


def kept_private(response, *, public: bool):
    """A private version's answer, marked so that no shared cache keeps it (whatever its backend said)."""
    if not public:
        for key, value in PRIVATE_HEADERS.items():
            response[key] = value
    return response


def is_platform_key(authorization: str) -> bool:
    """Whether an Authorization value carries a Stage API key (never handed on to tenant code), in any shape:
    repeated headers arrive joined by commas, and a key may follow another scheme or none."""
    return KEY_PREFIX in authorization


def cookie_values(request, name: str) -> list[str]:
    """Every value the Cookie header gives a name (a neighbour may have set one more under the same name)."""
    header = request.headers.get("cookie", "")
    values = []
    for part in header.replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            values.append(value.strip().strip('"'))
    return values


def preview_tokens(request) -> list[str]:
    return [token for token in (*request.GET.getlist(PARAM), *cookie_values(request, cookie_name())) if token]


def _owner_key_check(authorization: str, *, author_id: int) -> None:
    scheme, _, raw = authorization.partition(" ")
    if scheme.lower() + " " not in _KEY_SCHEMES or not raw.strip().startswith(KEY_PREFIX):
        raise Unauthorized("Send the owner's API key as Authorization: Bearer stg_...")
    try:
        api_key = api_key_from_header(authorization.encode("latin-1", "replace"))
    except AuthenticationFailed as exc:
        raise Unauthorized(str(exc.detail)) from None
    if api_key is None or api_key.user_id != author_id:
        raise NotFound("App not found")


def preview_caller_check(request, *, app_sid: str, author_id: int) -> None:
    """Return when the caller may see the app's preview; raise Unauthorized (401) or NotFound (404) otherwise.

    Any one valid credential is enough: a stale or foreign token (a cookie another app set under the same name,
    say) does not hide a valid one next to it.
    """
    refused: StageError | None = None
    for token in preview_tokens(request):
        try:
            preview_token_check(token=token, app_sid=app_sid)
        except StageError as exc:
            refused = exc
        else:
            return
    authorization = request.headers.get("authorization", "")
    if is_platform_key(authorization):
        _owner_key_check(authorization, author_id=author_id)
        return
    raise refused or Unauthorized(
        f"The preview of {app_sid} is private: send the owner's API key (Authorization: Bearer stg_...) "
        "or open a preview link (stage apps preview-link)."
    )
