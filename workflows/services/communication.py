"""Channels, registrations and messages. A message has exactly one Delivery, sent by a Celery task."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction

from core.errors import NotFound, ValidationFailed
from core.outbox import send_task_on_commit
from stage.models import App
from workflows.errors import NotRegistered
from workflows.models import CommunicationChannel, Delivery, Message, Registration

# Per kind: (public config keys, secret keys, required keys).
KIND_FIELDS = {
    CommunicationChannel.Kind.EMAIL: ({"from", "replyTo"}, set(), set()),
    CommunicationChannel.Kind.SLACK: (set(), {"webhookUrl"}, {"webhookUrl"}),
    CommunicationChannel.Kind.WEBHOOK: ({"url"}, {"secret"}, {"url", "secret"}),
}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", details={field: [message]})


def _check_url(field: str, value) -> None:
    if not isinstance(value, str) or len(value) > 2000:
        raise _invalid(field, "expected a URL")
    try:
        URLValidator(schemes=["http", "https"])(value)
    except DjangoValidationError:
        raise _invalid(field, "expected an http(s) URL") from None


def channel_config_clean(*, kind: str, config: dict) -> tuple[dict, dict]:
    """The (public, secret) parts of a channel's config, checked for its kind. Raises ValidationFailed."""
    if kind not in KIND_FIELDS:
        raise _invalid("kind", f"must be one of {', '.join(KIND_FIELDS)}")
    public, secret, required = KIND_FIELDS[kind]
    if not isinstance(config, dict):
        raise _invalid("config", "expected an object")
    for key in sorted(set(config) - public - secret):
        raise _invalid(f"config.{key}", f"unknown for a {kind} channel (allowed: {', '.join(sorted(public | secret))})")
    for key in sorted(required - set(config)):
        raise _invalid(f"config.{key}", "required")
    for key, value in config.items():
        if not isinstance(value, str) or not value or len(value) > 2000:
            raise _invalid(f"config.{key}", "expected a non-empty string")
    for key in ("from", "replyTo"):
        if key in config:
            try:
                validate_email(re.sub(r"^.*<(.+)>\s*$", r"\1", config[key]))
            except DjangoValidationError:
                raise _invalid(f"config.{key}", "expected an email address") from None
    for key in ("url", "webhookUrl"):
        if key in config:
            _check_url(f"config.{key}", config[key])
    return (
        {key: value for key, value in config.items() if key in public},
        {key: value for key, value in config.items() if key in secret},
    )


def channel_create(*, owner, name: str, kind: str, config: dict) -> CommunicationChannel:
    """Create a channel; secret keys (Slack's webhook URL, a webhook's signing secret) are stored write-only."""
    public, secrets = channel_config_clean(kind=kind, config=config)
    return CommunicationChannel.objects.create(owner=owner, name=name, kind=kind, config=public, secrets=secrets)


def channel_update(*, channel: CommunicationChannel, name: str, config: dict) -> CommunicationChannel:
    """Rename or reconfigure a channel (its kind is fixed); secret keys left out keep their stored values."""
    public, secrets = channel_config_clean(kind=channel.kind, config={**channel.secrets, **config})
    channel.name, channel.config, channel.secrets = name, public, secrets
    channel.save(update_fields=["name", "config", "secrets"])
    return channel


def registration_create(*, app: App, channel: CommunicationChannel) -> Registration:
    """The app's active registration for the channel; registering twice returns the same one."""
    if app.author_id != channel.owner_id:
        raise NotFound("Channel not found")
    existing = Registration.objects.filter(app=app, channel=channel, active=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Registration.objects.create(app=app, channel=channel, active=True)
    except IntegrityError:
        return Registration.objects.get(app=app, channel=channel, active=True)


def registration_resolve(*, app: App, channel_id) -> CommunicationChannel:
    registration = (
        Registration.objects.select_related("channel")
        .filter(app=app, channel__public_id=channel_id, channel__owner_id=app.author_id, active=True)
        .first()
        if isinstance(channel_id, str)
        else None
    )
    if registration is None:
        raise NotRegistered(f"App {app.sid} has no active registration for channel {str(channel_id)[:100]}")
    return registration.channel


def message_send(
    *,
    app: App,
    channel: CommunicationChannel,
    to: str,
    subject: str,
    text: str,
    html: str,
    metadata: dict,
    run=None,
    step_index=None,
) -> Message:
    """Create the message and its delivery (once per run step); enqueue the delivery when the transaction commits.

    `channel` comes from registration_resolve: the app holds an active registration for it.
    """
    from workflows.tasks import deliver_message

    try:
        with transaction.atomic():
            message = Message.objects.create(
                app=app,
                channel=channel,
                run=run,
                step_index=step_index,
                to=to,
                subject=subject,
                text=text,
                html=html,
                metadata=metadata,
            )
            delivery = Delivery.objects.create(message=message)
            send_task_on_commit(deliver_message, delivery.pk)
    except IntegrityError:
        if run is None:
            raise
        return Message.objects.select_related("delivery").get(run=run, step_index=step_index)
    return message


def delivery_retry(*, delivery: Delivery) -> Delivery:
    """Send a failed delivery again (the admin's "retry delivery")."""
    from workflows.tasks import deliver_message

    if delivery.status == Delivery.Status.DELIVERED:
        return delivery
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.QUEUED, claimed_at=None)
    send_task_on_commit(deliver_message, delivery.pk)
    delivery.refresh_from_db()
    return delivery
