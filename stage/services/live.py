"""Writes to what a session keeps for its app: the key-value store (`@stage/kv`), the live data and the messages
(`@stage/convex`). Each write takes the session's row lock, checks the caps against what is stored, and bumps
the session's live revision in the same transaction, so a preview that polls the revision sees every change, and
two writers can never together pass a cap."""

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum

from core.errors import PayloadTooLarge, ValidationFailed
from core.json_values import stored_json_size
from stage.changes import preview_changed_on_commit
from stage.models import Session, SessionMessage, SessionValue
from stage.services.sessions import session_lock

MAX_KEY_LENGTH = SessionValue._meta.get_field("key").max_length
MAX_SENDER_LENGTH = SessionMessage._meta.get_field("sender").max_length


def _text(value, what: str, *, max_chars: int) -> str:
    """A non-empty string of at most `max_chars`, storable as text (no NUL, no lone surrogates)."""
    if not isinstance(value, str) or not value.strip() or len(value) > max_chars or "\x00" in value:
        raise ValidationFailed(f"{what} must be a non-empty string of at most {max_chars} characters, without NUL")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValidationFailed(f"{what} must be valid Unicode text (no lone surrogates)") from None
    return value


def _key(key) -> str:
    return _text(key, "key", max_chars=MAX_KEY_LENGTH)


def _changed(session: Session) -> int:
    """Bump the revision of a session whose row this transaction has locked (so `session` holds its current one)."""
    Session.objects.filter(pk=session.pk).update(live_revision=F("live_revision") + 1)
    preview_changed_on_commit(session.public_id)
    return session.live_revision + 1


@transaction.atomic
def kv_set(*, session: Session, key, value) -> int:
    """Store `value` (JSON) under `key`; the new revision."""
    key, size = _key(key), stored_json_size(value, "value")
    if size > settings.STAGE_KV_MAX_VALUE_BYTES:
        raise PayloadTooLarge(f"A value may hold at most {settings.STAGE_KV_MAX_VALUE_BYTES} bytes of JSON ({size}).")
    session = session_lock(session=session)
    others = session.values.exclude(key=key).aggregate(keys=Count("pk"), total=Sum("size"))
    if others["keys"] >= settings.STAGE_KV_MAX_KEYS:
        raise PayloadTooLarge(f"A session's store holds at most {settings.STAGE_KV_MAX_KEYS} keys.")
    if (others["total"] or 0) + size > settings.STAGE_KV_MAX_BYTES:
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
    size = stored_json_size(data, "data")
    if size > settings.STAGE_LIVE_DATA_MAX_BYTES:
        cap = settings.STAGE_LIVE_DATA_MAX_BYTES
        raise PayloadTooLarge(f"Live data may hold at most {cap} bytes of JSON ({size}).")
    session = session_lock(session=session)
    Session.objects.filter(pk=session.pk).update(live_data=data)
    return _changed(session)


@transaction.atomic
def message_send(*, session: Session, text, sender) -> SessionMessage:
    """Append a message; only the newest STAGE_MESSAGES_KEPT are kept, and no more of them than fit in
    STAGE_MESSAGES_MAX_BYTES."""
    text = _text(text, "text", max_chars=settings.STAGE_MESSAGE_MAX_CHARS)
    sender = _text(sender, "sender", max_chars=MAX_SENDER_LENGTH).strip()
    if len(text.encode()) > settings.STAGE_MESSAGE_MAX_BYTES:
        raise PayloadTooLarge(f"A message may hold at most {settings.STAGE_MESSAGE_MAX_BYTES} bytes of UTF-8.")
    session = session_lock(session=session)
    message = SessionMessage.objects.create(session=session, text=text, sender=sender)
    total = 0
    newest_first = session.messages.order_by("-id").values_list("id", "text").iterator(chunk_size=50)
    for kept, (pk, kept_text) in enumerate(newest_first):
        total += len(kept_text.encode())
        if kept >= settings.STAGE_MESSAGES_KEPT or total > settings.STAGE_MESSAGES_MAX_BYTES:
            session.messages.filter(id__lte=pk).delete()
            break
    _changed(session)
    return message


@transaction.atomic
def messages_clear(*, session: Session) -> int:
    session = session_lock(session=session)
    session.messages.all().delete()
    return _changed(session)
