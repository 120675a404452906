"""Writes to what a session keeps for its app: the key-value store (`@stage/kv`), the live data and the messages
(`@stage/convex`). Each write takes the session's row lock, checks the caps against what is stored, and bumps
the session's live revision in the same transaction, so a preview that polls the revision sees every change, and
two writers can never together pass a cap."""

import json

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum

from core.errors import PayloadTooLarge, ValidationFailed
from stage.changes import preview_changed_on_commit
from stage.models import Session, SessionMessage, SessionValue
from stage.services.sessions import session_lock

MAX_KEY_LENGTH = SessionValue._meta.get_field("key").max_length
MAX_SENDER_LENGTH = SessionMessage._meta.get_field("sender").max_length


def _json_size(value, what: str) -> int:
    """Bytes of `value` as JSON; ValidationFailed for what JSON cannot hold (NaN, infinities)."""
    try:
        return len(json.dumps(value, allow_nan=False, separators=(",", ":")).encode())
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"{what} must be JSON (no NaN or Infinity): {exc}") from None


def _key(key) -> str:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
        raise ValidationFailed(f"key must be a non-empty string of at most {MAX_KEY_LENGTH} characters")
    return key


def _changed(session: Session) -> int:
    Session.objects.filter(pk=session.pk).update(live_revision=F("live_revision") + 1)
    preview_changed_on_commit(session.public_id)
    return Session.objects.values_list("live_revision", flat=True).get(pk=session.pk)


@transaction.atomic
def kv_set(*, session: Session, key, value) -> int:
    """Store `value` (JSON) under `key`; the new revision."""
    key, size = _key(key), _json_size(value, "value")
    if size > settings.STAGE_KV_MAX_VALUE_BYTES:
        raise PayloadTooLarge(f"A value may hold at most {settings.STAGE_KV_MAX_VALUE_BYTES} bytes of JSON ({size}).")
    session = session_lock(session=session)
    others = session.values.exclude(key=key)
    if others.count() >= settings.STAGE_KV_MAX_KEYS:
        raise PayloadTooLarge(f"A session's store holds at most {settings.STAGE_KV_MAX_KEYS} keys.")
    total = (others.aggregate(total=Sum("size"))["total"] or 0) + size
    if total > settings.STAGE_KV_MAX_BYTES:
        raise PayloadTooLarge(f"A session's store holds at most {settings.STAGE_KV_MAX_BYTES} bytes of values.")
    SessionValue.objects.update_or_create(session=session, key=key, defaults={"value": value, "size": size})
    return _changed(session)


@transaction.atomic
def kv_delete(*, session: Session, key) -> int:
    session = session_lock(session=session)
    session.values.filter(key=_key(key)).delete()
    return _changed(session)


@transaction.atomic
def kv_clear(*, session: Session) -> int:
    session = session_lock(session=session)
    session.values.all().delete()
    return _changed(session)


@transaction.atomic
def live_data_set(*, session: Session, data) -> int:
    size = _json_size(data, "data")
    if size > settings.STAGE_LIVE_DATA_MAX_BYTES:
        cap = settings.STAGE_LIVE_DATA_MAX_BYTES
        raise PayloadTooLarge(f"Live data may hold at most {cap} bytes of JSON ({size}).")
    session = session_lock(session=session)
    Session.objects.filter(pk=session.pk).update(live_data=data)
    return _changed(session)


@transaction.atomic
def message_send(*, session: Session, text, sender) -> SessionMessage:
    """Append a message; only the newest STAGE_MESSAGES_KEPT are kept."""
    if not isinstance(text, str) or not text.strip() or len(text) > settings.STAGE_MESSAGE_MAX_CHARS:
        cap = settings.STAGE_MESSAGE_MAX_CHARS
        raise ValidationFailed(f"text must be a non-empty string of at most {cap} characters")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        raise ValidationFailed(f"sender must be a non-empty string of at most {MAX_SENDER_LENGTH} characters")
    session = session_lock(session=session)
    message = SessionMessage.objects.create(session=session, text=text, sender=sender.strip())
    kept = session.messages.order_by("-id").values_list("id", flat=True)[settings.STAGE_MESSAGES_KEPT :]
    session.messages.filter(id__in=list(kept)).delete()
    _changed(session)
    return message


@transaction.atomic
def messages_clear(*, session: Session) -> int:
    session = session_lock(session=session)
    session.messages.all().delete()
    return _changed(session)
