"""`@stage/pulse` and `@stage/ledger` in a session's preview (stage/services/preview_operations.py): events the
app records while someone uses its preview go to the app published from that session, as its workflows' do."""

from core.errors import ValidationFailed
from stage.models import App, Session
from workflows.models import LedgerEvent
from workflows.services.ledger import ledger_append
from workflows.services.records import pulse_track

MAX_EVENTS = 100
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


def _mapping(params: dict, name: str) -> dict:
    value = params.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{name} must be an object")
    return value


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
    fields = {
        "operation": operation,
        "actor": _text(params, "actor", max_length=200) or PREVIEW_ACTOR,
        "resource": _text(params, "resource", max_length=500),
        "data_refs": refs,
        "status": _text(params, "status", max_length=32) or "success",
        "meta": _mapping(params, "meta"),
    }
    event = ledger_append(app=_app_of(session, "ledger.audit"), run=None, step_index=None, **fields)
    return {"seq": event.seq, "hash": event.hash}
