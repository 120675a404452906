"""Deliver one message through its channel, exactly once.

The task claims the delivery under a row lock (queued -> sending, with a lease); a second task finding it
delivered, failed, or sending within the lease does nothing. A claim whose lease ran out (its worker died
mid-send) is taken over and sent again with the same delivery key (email Message-ID, webhook
X-Stage-Delivery header), so receivers can tell a resend from a new message.
"""

import hashlib
import hmac
import json
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from workflows.egress import egress_post
from workflows.errors import PermanentDeliveryError, TemporaryDeliveryError
from workflows.models import CommunicationChannel, Delivery, Message


def delivery_claim(*, delivery_id: int) -> Delivery | None:
    now = timezone.now()
    lease = timedelta(seconds=settings.STAGE_DELIVERY_LEASE_SECONDS)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status in (Delivery.Status.DELIVERED, Delivery.Status.FAILED):
            return None
        if delivery.status == Delivery.Status.SENDING and delivery.claimed_at and delivery.claimed_at > now - lease:
            return None
        delivery.status = Delivery.Status.SENDING
        delivery.attempts += 1
        delivery.claimed_at = now
        delivery.save(update_fields=["status", "attempts", "claimed_at", "updated_at"])
    return delivery


def _finish(delivery: Delivery, **fields) -> None:
    fields["updated_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def delivery_perform(*, delivery_id: int, final_attempt: bool = True) -> Delivery | None:
    """Claim and send. A temporary failure re-queues (and is raised for the task to retry) until the last try."""
    delivery = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return None
    message = Message.objects.select_related("channel", "app").get(pk=delivery.message_id)
    try:
        provider_response = SENDERS[message.channel.kind](message, message.channel, delivery)
    except TemporaryDeliveryError as exc:
        status = Delivery.Status.FAILED if final_attempt else Delivery.Status.QUEUED
        _finish(delivery, status=status, last_error=str(exc)[:2000], claimed_at=None)
        raise
    except PermanentDeliveryError as exc:
        _finish(delivery, status=Delivery.Status.FAILED, last_error=str(exc)[:2000], claimed_at=None)
        return delivery
    _finish(
        delivery,
        status=Delivery.Status.DELIVERED,
        provider_response=provider_response,
        delivered_at=timezone.now(),
        last_error="",
    )
    return delivery


def delivery_key(delivery: Delivery, message: Message) -> str:
    return f"{message.public_id}.{delivery.pk}"


def _send_email(message: Message, channel: CommunicationChannel, delivery: Delivery) -> dict:
    recipients = [address.strip() for address in message.to.split(",") if address.strip()]
    message_id = f"<{delivery_key(delivery, message)}@stage>"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=channel.config.get("from") or settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=[channel.config["replyTo"]] if channel.config.get("replyTo") else None,
        headers={"Message-ID": message_id, "X-Stage-App": message.app.sid},
        connection=get_connection(timeout=settings.STAGE_UPSTREAM_TIMEOUT_SECONDS),
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        sent = email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentDeliveryError(f"recipients refused: {exc.recipients}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from None
    return {"provider": "email", "messageId": message_id, "sent": sent}


def _post(message: Message, url: str, body: bytes, headers: dict, provider: str) -> dict:
    status, text = egress_post(url=url, body=body, headers=headers, app_sid=message.app.sid)
    if status == 429 or status >= 500:
        raise TemporaryDeliveryError(f"{provider} answered {status}: {text[:200]}")
    if status >= 400:
        raise PermanentDeliveryError(f"{provider} answered {status}: {text[:200]}")
    return {"provider": provider, "status": status, "body": text[:1000]}


def _secret(channel: CommunicationChannel, name: str) -> str:
    value = (channel.secrets or {}).get(name)
    if not value:  # encrypted under a SECRET_KEY that is gone (no DJANGO_SECRET_KEY_FALLBACKS entry for it)
        raise PermanentDeliveryError(f"The channel's {name} cannot be decrypted: set it again on the channel.")
    return value


def _send_slack(message: Message, channel: CommunicationChannel, delivery: Delivery) -> dict:
    payload = {"text": message.text}
    if message.subject:
        payload["text"] = f"*{message.subject}*\n{message.text}"
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Stage-Delivery": delivery_key(delivery, message)}
    return _post(message, _secret(channel, "webhookUrl"), body, headers, "slack")


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send_webhook(message: Message, channel: CommunicationChannel, delivery: Delivery) -> dict:
    body = json.dumps(
        {
            "id": message.public_id,
            "app": message.app.sid,
            "to": message.to,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "metadata": message.metadata,
        },
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Stage-Delivery": delivery_key(delivery, message),
        "X-Stage-Signature": webhook_signature(_secret(channel, "secret"), body),
    }
    return _post(message, channel.config["url"], body, headers, "webhook")


SENDERS = {
    CommunicationChannel.Kind.EMAIL: _send_email,
    CommunicationChannel.Kind.SLACK: _send_slack,
    CommunicationChannel.Kind.WEBHOOK: _send_webhook,
}
