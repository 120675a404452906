from workflows.blocks import fields
from workflows.registry import StepContext, register
from workflows.services.records import billing_item_create

MAX_AMOUNT_CENTS = 100_000_000_00


def _clean(ctx: StepContext, config: dict) -> dict:
    currency = fields.text(ctx, config, "currency", required=False, max_length=3, default="usd").lower()
    if len(currency) != 3 or not currency.isalpha():
        raise fields.invalid(ctx, "currency", "expected a three-letter ISO 4217 code")
    return {
        "customer_email": fields.email(ctx, config, "customerEmail"),
        "amount_cents": fields.integer(ctx, config, "amountCents", minimum=1, maximum=MAX_AMOUNT_CENTS),
        "currency": currency,
        "description": fields.text(ctx, config, "description", required=False, max_length=500),
        "metadata": fields.mapping(ctx, config, "metadata"),
    }


def _present(item_id: str, data: dict) -> dict:
    return {
        "id": item_id,
        "customerEmail": data["customer_email"],
        "amountCents": data["amount_cents"],
        "currency": data["currency"],
        "description": data["description"],
        "metadata": data["metadata"],
    }


def _preview(ctx: StepContext, config: dict) -> dict:
    return _present("bill_dry_run", _clean(ctx, config))


@register(
    "billing.createItem",
    required=["customerEmail", "amountCents"],
    optional=["currency", "description", "metadata"],
    preview=_preview,
)
def create_item(ctx: StepContext, config: dict) -> dict:
    """Create a billing item, once per run and step."""
    data = _clean(ctx, config)
    item = billing_item_create(app=ctx.app, run=ctx.run, step_index=ctx.index, **data)
    return _present(item.public_id, data)
