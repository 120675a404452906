from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from workflows.blocks import fields
from workflows.models import CommunicationChannel
from workflows.registry import StepContext, register
from workflows.services.communication import message_send, registration_resolve


def _clean(ctx: StepContext, config: dict) -> dict:
    return {
        "channel_id": fields.text(ctx, config, "channelId", max_length=64),
        "to": fields.text(ctx, config, "to", required=False, max_length=500),
        "subject": fields.text(ctx, config, "subject", required=False, max_length=500),
        "text": fields.text(ctx, config, "text", max_length=100_000),
        "html": fields.text(ctx, config, "html", required=False, max_length=500_000),
        "metadata": fields.mapping(ctx, config, "metadata"),
    }


def _check_recipients(ctx: StepContext, channel: CommunicationChannel, to: str) -> None:
    if channel.kind != CommunicationChannel.Kind.EMAIL:
        return
    recipients = [address.strip() for address in to.split(",") if address.strip()]
    if not recipients:
        raise fields.invalid(ctx, "to", "an email channel needs at least one recipient")
    for address in recipients:
        try:
            validate_email(address)
        except DjangoValidationError:
            raise fields.invalid(ctx, "to", f"not an email address: {address[:100]!r}") from None


def _preview(ctx: StepContext, config: dict) -> dict:
    data = _clean(ctx, config)
    channel = registration_resolve(app=ctx.app, channel_id=data["channel_id"])
    _check_recipients(ctx, channel, data["to"])
    return {"messageId": None, "channelId": channel.public_id, "status": "dry-run"}


@register(
    "communication.send",
    required=["channelId", "text"],
    optional=["to", "subject", "html", "metadata"],
    preview=_preview,
)
def send(ctx: StepContext, config: dict) -> dict:
    """Send a message through a channel the app is registered for; delivery is tracked and retried."""
    data = _clean(ctx, config)
    channel = registration_resolve(app=ctx.app, channel_id=data["channel_id"])
    _check_recipients(ctx, channel, data["to"])
    del data["channel_id"]
    message = message_send(app=ctx.app, channel=channel, run=ctx.run, step_index=ctx.index, **data)
    return {"messageId": message.public_id, "channelId": channel.public_id, "status": message.delivery.status}
