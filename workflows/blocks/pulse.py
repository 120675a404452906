from workflows.blocks import fields
from workflows.registry import StepContext, register
from workflows.services.records import pulse_track


def _clean(ctx: StepContext, config: dict) -> dict:
    return {
        "event": fields.text(ctx, config, "event", max_length=200),
        "properties": fields.mapping(ctx, config, "properties"),
        "distinct_id": fields.text(ctx, config, "distinctId", required=False, max_length=200)
        or (ctx.caller.email or str(ctx.caller.pk)),
    }


def _present(event_id, data: dict) -> dict:
    return {"id": event_id, "event": data["event"], "properties": data["properties"], "distinctId": data["distinct_id"]}


@register(
    "pulse.track",
    required=["event"],
    optional=["properties", "distinctId"],
    preview=lambda ctx, config: _present(None, _clean(ctx, config)),
)
def track(ctx: StepContext, config: dict) -> dict:
    """Record a pulse (analytics) event."""
    data = _clean(ctx, config)
    event = pulse_track(app=ctx.app, run=ctx.run, step_index=ctx.index, **data)
    return _present(event.pk, data)
