from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, NotFound, ValidationFailed
from stage.models import App, Render, RenderArtifact, Session
from stage.renders.selectors import artifact_unused


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
    locked = Session.objects.select_for_update().filter(pk=session.pk).first()
    if locked is None:  # deleted since it was looked up
        raise NotFound("Session not found")
    return locked


@transaction.atomic
def session_delete(*, session: Session) -> None:
    """Delete the session with its files, snapshots, renders, live state and the artifacts nothing else uses.
    Conflict while an app is published from it (its versions are the session's files)."""
    session = session_lock(session=session)
    app = App.objects.filter(session=session).values_list("sid", flat=True).first()
    if app is not None:
        raise Conflict(f"App {app} is published from this session; a session an app was published from is kept.")
    rendered = Render.objects.filter(session=session, artifact__isnull=False)
    artifacts = set(rendered.values_list("artifact_id", flat=True))
    session.delete()
    # Artifacts are shared by content: only those no other render or app version uses go with it, and none a build
    # is reusing this moment (it holds the row's lock until its render points at it: stage/renders/retention.py).
    unused = artifact_unused()
    free = RenderArtifact.objects.filter(unused, pk__in=artifacts).select_for_update(skip_locked=True)
    RenderArtifact.objects.filter(unused, pk__in=list(free.values_list("pk", flat=True))).delete()
