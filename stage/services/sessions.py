from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import ValidationFailed
from stage.models import Session


def session_create(*, owner, name: str | None = None) -> Session:
    name = (name or "").strip()
    if len(name) > settings.STAGE_MAX_SESSION_NAME:
        raise ValidationFailed(
            f"name must be at most {settings.STAGE_MAX_SESSION_NAME} characters",
            details={"name": ["Too long."]},
        )
    return Session.objects.create(owner=owner, name=name)


def session_touch(*, session: Session) -> None:
    """Record an access, writing at most once per STAGE_SESSION_TOUCH_SECONDS so reads stay cheap."""
    now = timezone.now()
    if now - session.last_accessed_at < timedelta(seconds=settings.STAGE_SESSION_TOUCH_SECONDS):
        return
    Session.objects.filter(pk=session.pk).update(last_accessed_at=now)
    session.last_accessed_at = now


def session_lock(*, session: Session) -> Session:
    """Take the session row's lock for the rest of the current transaction and return the fresh row."""
    assert transaction.get_connection().in_atomic_block, "session_lock needs a transaction"
    return Session.objects.select_for_update().get(pk=session.pk)
