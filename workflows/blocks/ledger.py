from workflows.blocks import fields
from workflows.models import LedgerEvent
from workflows.registry import StepContext, register
from workflows.services.ledger import ledger_append


def _clean(ctx: StepContext, config: dict) -> dict:
    operation = fields.text(ctx, config, "operation", max_length=16)
    if operation not in LedgerEvent.Operation.values:
        raise fields.invalid(ctx, "operation", f"must be one of {', '.join(LedgerEvent.Operation.values)}")
    refs = fields.sequence(ctx, config, "dataRefs")
    return {
        "operation": operation,
        "actor": fields.text(ctx, config, "actor", required=False, max_length=200) or ctx.caller.email,
        "resource": fields.text(ctx, config, "resource", required=False, max_length=500),
        "data_refs": refs,
        "status": fields.text(ctx, config, "status", required=False, max_length=32) or "success",
        "meta": fields.mapping(ctx, config, "meta"),
    }


def _present(seq, event_hash, data: dict) -> dict:
    return {
        "seq": seq,
        "hash": event_hash,
        "operation": data["operation"],
        "actor": data["actor"],
        "resource": data["resource"],
        "dataRefs": data["data_refs"],
        "status": data["status"],
        "meta": data["meta"],
    }


@register(
    "ledger.audit",
    required=["operation"],
    optional=["actor", "resource", "dataRefs", "status", "meta"],
    preview=lambda ctx, config: _present(None, None, _clean(ctx, config)),
)
def audit(ctx: StepContext, config: dict) -> dict:
    """Append an audit event to the app's hash-chained ledger."""
    data = _clean(ctx, config)
    event = ledger_append(app=ctx.app, run=ctx.run, step_index=ctx.index, fresh=ctx.fresh, **data)
    return _present(event.seq, event.hash, data)
