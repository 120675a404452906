"""Render writes from the API: trigger a build (a new version at once, the build once it is committed), and
record an error the browser saw."""

from django.db import transaction
from django.db.models import F

from core.errors import NotFound, ValidationFailed
from core.outbox import send_task_on_commit
from stage.changes import preview_changed_on_commit
from stage.models import Render, Session
from stage.paths import InvalidPath, normalize_path
from stage.renders.artifacts import MAX_ERROR_LENGTH, MAX_ERROR_LOCATIONS
from stage.renders.tasks import render_build
from stage.services.sessions import session_lock

DEFAULT_ENTRY = "/app/App.tsx"


def render_trigger(*, session: Session, entry: str | None = None) -> Render:
    """Hand out the next render version at once and enqueue the build once the version is committed."""
    try:
        entry = normalize_path(entry or DEFAULT_ENTRY)
    except InvalidPath as exc:
        raise ValidationFailed(f"Invalid entry {entry!r}: {exc}.", details={"entry": [str(exc)]}) from exc
    with transaction.atomic():
        session_lock(session=session)
        Session.objects.filter(pk=session.pk).update(render_counter=F("render_counter") + 1)
        version = Session.objects.values_list("render_counter", flat=True).get(pk=session.pk)
        render = Render.objects.create(session=session, version=version, entry=entry)
        send_task_on_commit(render_build, render.pk)
        preview_changed_on_commit(session.public_id)
    return render


def render_report_error(
    *, session: Session, error: str, version: int | None = None, locations: list[dict] | None = None
) -> Render:
    """Record an error seen while running a render (in the browser, say) into that render's state, with where in
    the session's files it happened when that is known."""
    renders = Render.objects.filter(session=session)
    render = (renders.filter(version=version) if version is not None else renders).order_by("-version").first()
    if render is None:
        raise NotFound("Render not found")
    fields = {"error": error[:MAX_ERROR_LENGTH]}
    if locations:
        fields["error_locations"] = locations[:MAX_ERROR_LOCATIONS]
    Render.objects.filter(pk=render.pk).update(**fields)
    preview_changed_on_commit(session.public_id)
    render.refresh_from_db()
    return render


def render_clear_error(*, session: Session) -> Render | None:
    """Forget the runtime error recorded on the latest ready render (the app was fixed, or the error was seen)."""
    render = Render.objects.filter(session=session, status=Render.Status.READY).order_by("-version").first()
    if render is not None and render.error is not None:
        Render.objects.filter(pk=render.pk).update(error=None)
        preview_changed_on_commit(session.public_id)
        render.refresh_from_db()
    return render
