"""Reads for the public preview: a session by its unguessable id, its newest render and newest ready render."""

from stage.models import Render, Session


def preview_session(*, public_id: str) -> Session | None:
    """Any session by id, whoever owns it: the preview is public to whoever holds the id."""
    return Session.objects.filter(public_id=public_id).first()


def render_latest_ready(*, session: Session, version: int | None = None) -> Render | None:
    """The newest ready render (or that version, if it is ready), with its artifact."""
    renders = Render.objects.filter(session=session, status=Render.Status.READY).select_related("artifact")
    if version is not None:
        renders = renders.filter(version=version)
    return renders.order_by("-version").first()


def ready_version(*, session: Session) -> int | None:
    renders = Render.objects.filter(session=session, status=Render.Status.READY)
    return renders.order_by("-version").values_list("version", flat=True).first()
