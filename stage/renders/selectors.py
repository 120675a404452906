"""Reads for the public preview (a session by its unguessable id, its newest render and newest ready render), and
the builds whose task must be sent again."""

from django.db.models import Exists, OuterRef, Q

from stage.models import AppVersion, Render, Session


def preview_session(*, public_id: str) -> Session | None:
    """Any session by id, whoever owns it: the preview is public to whoever holds the id."""
    return Session.objects.filter(public_id=public_id).first()


def render_latest_ready(*, session: Session, version: int | None = None, with_artifact: bool = True) -> Render | None:
    """The newest ready render (or that version, if it is ready), with its artifact (its bundle; not its source map)
    unless `with_artifact` is False."""
    renders = Render.objects.filter(session=session, status=Render.Status.READY)
    if with_artifact:
        renders = renders.select_related("artifact").defer("artifact__source_map")
    if version is not None:
        renders = renders.filter(version=version)
    return renders.order_by("-version").first()


def ready_version(*, session: Session) -> int | None:
    renders = Render.objects.filter(session=session, status=Render.Status.READY)
    return renders.order_by("-version").values_list("version", flat=True).first()


def stuck_renders(queued_before, building_before):
    """Renders queued since before `queued_before`, or building since before `building_before`: a build still
    running after the task's hard time limit lost its worker (SIGKILL, OOM)."""
    return Render.objects.filter(
        Q(status=Render.Status.QUEUED, created_at__lt=queued_before)
        | Q(status=Render.Status.BUILDING, started_at__lt=building_before)
    )


def stuck_ui_builds(queued_before, building_before):
    """Versions whose UI build is stuck the same way (it starts as the version is created: its age is the build's)."""
    return AppVersion.objects.filter(
        Q(ui_status=AppVersion.UiStatus.QUEUED, created_at__lt=queued_before)
        | Q(ui_status=AppVersion.UiStatus.BUILDING, created_at__lt=building_before)
    )


def artifact_unused():
    """The condition on RenderArtifact rows that no render and no app version points at."""
    rendered = Exists(Render.objects.filter(artifact=OuterRef("pk")))
    versioned = Exists(AppVersion.objects.filter(ui_artifact=OuterRef("pk")))  # an app version's UI, kept forever
    return ~rendered & ~versioned
