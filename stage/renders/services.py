"""Build a render: read the session's latest files, reuse or build the artifact, record how it went."""

import hashlib
import json
import logging
import time
from functools import cache

from django.db import IntegrityError, transaction
from django.utils import timezone

from stage.models import Render, RenderArtifact
from stage.renders import esbuild
from stage.selectors import current_files
from stage.services.renders import MAX_ERROR_LENGTH

logger = logging.getLogger(__name__)
MAX_ERROR_LOCATIONS = 50
UNFINISHED = (Render.Status.QUEUED, Render.Status.BUILDING)


@cache
def _fingerprint() -> str:
    return esbuild.builder_fingerprint()


def content_hash(*, entry: str, files: dict[str, str]) -> str:
    """Everything that decides the artifact: the entry, every file's path and content, and the builder."""
    payload = json.dumps([_fingerprint(), entry, sorted(files.items())], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def artifact_store(*, content_hash: str, output: esbuild.BuildOutput) -> RenderArtifact:
    """Store a built bundle once per content hash; a concurrent build of the same files finds the first one."""
    size = len(output.js.encode()) + len(output.css.encode())
    try:
        with transaction.atomic():
            return RenderArtifact.objects.create(content_hash=content_hash, js=output.js, css=output.css, size=size)
    except IntegrityError:
        return RenderArtifact.objects.get(content_hash=content_hash)


def _finish(render: Render, **fields) -> Render:
    """Write the outcome only while the render is unfinished, so a redelivered task never rewrites a result."""
    Render.objects.filter(pk=render.pk, status__in=UNFINISHED).update(**fields)
    render.refresh_from_db()
    return render


def _fail(render: Render, errors: list[dict]) -> Render:
    errors = errors[:MAX_ERROR_LOCATIONS]
    return _finish(
        render,
        status=Render.Status.FAILED,
        error=esbuild.format_errors(errors)[:MAX_ERROR_LENGTH],
        error_locations=errors,
    )


def render_build(*, render_id: int) -> Render | None:
    """Build one render. Idempotent: a finished render is left as it is; a superseded one is not built.

    Each version has its own row and the preview shows the newest ready one, so an older build finishing late
    can never replace a newer result.
    """
    started = time.monotonic()
    render = Render.objects.filter(pk=render_id).first()
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
    files = {row["path"]: row["content"] for row in current_files(session=render.session, with_content=True)}
    digest = content_hash(entry=render.entry, files=files)
    with transaction.atomic():  # a reused artifact stays locked until the render points at it (retention.py)
        artifact = RenderArtifact.objects.select_for_update().filter(content_hash=digest).first()
        if artifact is not None:
            return _ready(render, artifact, started)
    try:
        output = esbuild.build_bundle(entry=render.entry, files=files)
    except esbuild.BuildFailed as exc:
        logger.info("render %s v%s failed: %s", render.session_id, render.version, exc)
        return _fail(render, exc.errors)
    return _ready(render, artifact_store(content_hash=digest, output=output), started)


def _ready(render: Render, artifact: RenderArtifact, started: float) -> Render:
    return _finish(
        render,
        status=Render.Status.READY,
        artifact=artifact,
        error=None,
        error_locations=None,
        rendered_at=timezone.now(),
        build_ms=round((time.monotonic() - started) * 1000),
    )
