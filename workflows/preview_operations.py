"""`@stage/pulse` and `@stage/ledger` in a session's preview (stage/services/preview_operations.py): events the
app records while someone uses its preview go to the app published from that session, as its workflows' do.

Whoever holds the preview link can send these, so what they say of themselves is not taken as fact: a ledger
event from a preview is always by the actor `preview` (an actor the app names is kept in `meta.claimedActor`),
and every event's data is capped in size."""

from core.errors import ValidationFailed
from core.json_values import stored_json_size
from stage.models import App, Session
from workflows.models import LedgerEvent
from workflows.services.ledger import ledger_append
from workflows.services.records import pulse_track

MAX_EVENTS = 100
MAX_DATA_BYTES = 8 * 1024  # an event's meta (a ledger event's dataRefs too), as JSON
PREVIEW_ACTOR = "preview"
LEDGER_FIELDS = ("operation", "actor", "resource", "dataRefs", "status", "meta")


def _app_of(session: Session, module: str) -> App:
    app = App.objects.filter(session=session, status=App.Status.ACTIVE).first()
    if app is None:
        raise ValidationFailed(
            f"{module} records for the app published from this session, and there is none: publish it first "
            "(`stage apps publish`, or POST /api/v1/stage/apps with its sessionId)"
        )
    return app


def _text(params: dict, name: str, *, max_length: int, required: bool = False) -> str:
    value = params.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_length:
        raise ValidationFailed(
            f"{name} must be a {'non-empty ' if required else ''}string of at most {max_length} characters"
        )
    return value


def _capped(value, name: str):
    if stored_json_size(value, name) > MAX_DATA_BYTES:
        raise ValidationFailed(f"{name} must be at most {MAX_DATA_BYTES} bytes of JSON")
    return value


def _mapping(params: dict, name: str) -> dict:
    value = params.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{name} must be an object")
    return _capped(value, name)


def preview_pulse_track(session: Session, params: dict) -> dict:
    """`{"events": [{"name", "meta"?}, ...]}`, a batch of at most MAX_EVENTS."""
    events = params.get("events")
    if not isinstance(events, list) or not 0 < len(events) <= MAX_EVENTS:
        raise ValidationFailed(f"events must be a list of 1 to {MAX_EVENTS} events")
    if not all(isinstance(event, dict) for event in events):
        raise ValidationFailed('each event is {"name": string, "meta"?: object}')
    cleaned = [(_text(event, "name", max_length=200, required=True), _mapping(event, "meta")) for event in events]
    app = _app_of(session, "pulse.track")
    for name, meta in cleaned:
        pulse_track(app=app, run=None, step_index=None, event=name, properties=meta, distinct_id=PREVIEW_ACTOR)
    return {"recorded": len(cleaned)}


def preview_ledger_audit(session: Session, params: dict) -> dict:
    """One event: `{"operation", "actor"?, "resource"?, "dataRefs"?, "status"?, "meta"?}`."""
    operation = _text(params, "operation", max_length=16, required=True)
    if operation not in LedgerEvent.Operation.values:
        raise ValidationFailed(f"operation must be one of {', '.join(LedgerEvent.Operation.values)}")
    refs = params.get("dataRefs") or []
    if not isinstance(refs, list):
        raise ValidationFailed("dataRefs must be a list")
    meta, claimed = _mapping(params, "meta"), _text(params, "actor", max_length=200)
    fields = {
        "operation": operation,
        "actor": PREVIEW_ACTOR,  # anyone holding the link could claim to be anyone
        "resource": _text(params, "resource", max_length=500),
        "data_refs": _capped(refs, "dataRefs"),
        "status": _text(params, "status", max_length=32) or "success",
        "meta": {**meta, "claimedActor": claimed} if claimed else meta,
    }
    event = ledger_append(app=_app_of(session, "ledger.audit"), run=None, step_index=None, **fields)
    return {"seq": event.seq, "hash": event.hash}
