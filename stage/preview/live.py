"""The endpoints behind the browser `@stage/*` modules of a session's preview: what the page around the app's frame
calls for it. Public by session id, like the preview itself (the id is the capability), so each is charged to the
session's own quotas, takes only that session's id and can do nothing beyond that session.

- `GET /s/<id>/live[?since=<revision>]`: the key-value store, the live data and the messages with their revision;
  only the revision when it is still `since` (what the page polls).
- `POST /s/<id>/live` with `{"op": <name>, ...parameters}`: one operation (stage/services/preview_operations.py):
  `kv.set`, `kv.delete`, `kv.clear`, `liveData.set`, `messages.send`, `messages.clear`, and those plug-ins add.
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.api.envelope import stage_error_response
from core.errors import NotFound, PayloadTooLarge, StageError, ValidationFailed
from core.limits import session_quota
from stage.renders import selectors as render_selectors
from stage.selectors.live import live_revision, live_snapshot
from stage.services import live
from stage.services.preview_operations import (
    preview_operation,
    preview_operation_names,
    register_preview_operation,
)

# The largest value an operation may carry, plus room for its name and key.
MAX_BODY_BYTES = max(settings.STAGE_KV_MAX_VALUE_BYTES, settings.STAGE_LIVE_DATA_MAX_BYTES) + 4096


def _kv_set(session, params):
    live.kv_set(session=session, key=params.get("key"), value=params.get("value"))


def _kv_delete(session, params):
    live.kv_delete(session=session, key=params.get("key"))


def _live_data_set(session, params):
    live.live_data_set(session=session, data=params.get("data"))


def _message_send(session, params):
    live.message_send(session=session, text=params.get("text"), sender=params.get("sender", "user"))


def _answering_with_the_snapshot(change):
    """An operation that changes the session, answered with everything the app's modules read afterwards."""

    def operation(session, params):
        change(session, params)
        return {"live": live_snapshot(session=session)}

    return operation


for _name, _change, _params in [
    ("kv.set", _kv_set, ("key", "value")),
    ("kv.delete", _kv_delete, ("key",)),
    ("kv.clear", lambda session, params: live.kv_clear(session=session), ()),
    ("liveData.set", _live_data_set, ("data",)),
    ("messages.send", _message_send, ("text", "sender")),
    ("messages.clear", lambda session, params: live.messages_clear(session=session), ()),
]:
    register_preview_operation(_name, _answering_with_the_snapshot(_change), params=_params)


def _operation_input(request) -> tuple[str, dict]:
    if len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"An operation may carry at most {MAX_BODY_BYTES} bytes.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("op"), str):
        raise ValidationFailed('Expected {"op": <operation>, ...its parameters}')
    name = body.pop("op")
    operation = preview_operation(name)
    if operation is None:
        raise ValidationFailed(f"Unknown operation {name!r}; there are: {', '.join(preview_operation_names())}")
    unknown = sorted(set(body) - operation.params)
    if unknown:  # a sessionId among them, say: an operation acts on the session in the path and no other
        raise ValidationFailed(f"{name} takes no {', '.join(unknown)}")
    return name, body


@csrf_exempt  # public by session id, as the preview page is: a token would prove nothing the id does not
@require_http_methods(["GET", "POST"])
def preview_live(request, session_id: str):
    session = render_selectors.preview_session(public_id=session_id)
    try:
        if session is None:
            raise NotFound("Session not found")
        if request.method == "GET":
            session_quota(session.public_id, "preview_live_reads")
            since = request.GET.get("since", "")
            revision = live_revision(session=session)
            data = {"revision": revision} if since == str(revision) else live_snapshot(session=session)
        else:
            session_quota(session.public_id, "preview_live_writes")
            name, params = _operation_input(request)
            data = preview_operation(name).handler(session, params)
    except StageError as exc:
        return stage_error_response(exc)
    # UTF-8 as it is, not \u escapes: text in other scripts would take up to six times the bytes
    response = JsonResponse({"success": True, "data": data}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
