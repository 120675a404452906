"""Build a render: read the session's latest files, reuse or build the artifact, record how it went."""

import logging
import time

from django.utils import timezone

from stage.changes import preview_changed_on_commit
from stage.models import Render, RenderArtifact
from stage.renders.artifacts import artifact_for
from stage.selectors import current_files, split_by_encoding

logger = logging.getLogger(__name__)
UNFINISHED = (Render.Status.QUEUED, Render.Status.BUILDING)


def _finish(render: Render, **fields) -> Render:
    """Write the outcome only while the render is unfinished, so a redelivered task never rewrites a result."""
    if Render.objects.filter(pk=render.pk, status__in=UNFINISHED).update(**fields):
        preview_changed_on_commit(render.session.public_id)
    render.refresh_from_db()
    return render


def render_build(*, render_id: int) -> Render | None:
    """Build one render. Idempotent: a finished render is left as it is; a superseded one is not built.

    Each version has its own row and the preview shows the newest ready one, so an older build finishing late
    can never replace a newer result.
    """
    started = time.monotonic()
    render = Render.objects.filter(pk=render_id).select_related("session").first()
    if render is None or render.status not in UNFINISHED:
        return render
    newer = (
        Render.objects.filter(session_id=render.session_id, version__gt=render.version)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    if newer is not None:
        message = f"Superseded by render version {newer} before it was built"
        return _finish(render, status=Render.Status.FAILED, error=message)
    Render.objects.filter(pk=render.pk, status__in=UNFINISHED).update(
        status=Render.Status.BUILDING, started_at=timezone.now()
    )
    preview_changed_on_commit(render.session.public_id)
    files, binary = split_by_encoding(current_files(session=render.session, with_content=True))

    def ready(artifact: RenderArtifact) -> Render:
        return _finish(
            render,
            status=Render.Status.READY,
            artifact=artifact,
            error=None,
            error_locations=None,
            rendered_at=timezone.now(),
            build_ms=round((time.monotonic() - started) * 1000),
        )

    def failed(errors: list[dict], text: str) -> Render:
        logger.info("render %s v%s failed: %s", render.session_id, render.version, text[:500])
        return _finish(render, status=Render.Status.FAILED, error=text, error_locations=errors)

    return artifact_for(entry=render.entry, files=files, binary=binary, attach=ready, fail=failed)
