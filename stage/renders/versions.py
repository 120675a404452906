"""Build an app version's UI once, from the version's own immutable files, when the version is created.

The same builder and artifact store as session renders: a version whose files a render has already built
reuses that artifact, and a rebuilt version is a hash lookup.
"""

import logging

from django.db import transaction
from django.utils import timezone

from stage.models import AppVersion, RenderArtifact
from stage.renders import esbuild
from stage.renders.services import MAX_ERROR_LOCATIONS, artifact_store, content_hash
from stage.selectors.apps import version_files
from stage.services.renders import MAX_ERROR_LENGTH

logger = logging.getLogger(__name__)
UiStatus = AppVersion.UiStatus
UNFINISHED = (UiStatus.QUEUED, UiStatus.BUILDING)


def _finish(version: AppVersion, **fields) -> AppVersion:
    """Write the outcome only while the build is unfinished, so a redelivered task never rewrites it."""
    AppVersion.objects.filter(pk=version.pk, ui_status__in=UNFINISHED).update(**fields, ui_built_at=timezone.now())
    version.refresh_from_db()
    return version


def version_ui_build(*, version_id: int) -> AppVersion | None:
    """Build the version's UI from its entry. Idempotent: a finished build is left as it is."""
    version = AppVersion.objects.filter(pk=version_id).first()
    if version is None or version.ui_status not in UNFINISHED:
        return version
    AppVersion.objects.filter(pk=version.pk, ui_status__in=UNFINISHED).update(ui_status=UiStatus.BUILDING)
    files = version_files(version=version)
    digest = content_hash(entry=version.ui_entry, files=files)
    with transaction.atomic():  # a reused artifact stays locked until the version points at it (retention.py)
        artifact = RenderArtifact.objects.select_for_update().filter(content_hash=digest).first()
        if artifact is not None:
            return _finish(version, ui_status=UiStatus.READY, ui_artifact=artifact)
    try:
        output = esbuild.build_bundle(entry=version.ui_entry, files=files)
    except esbuild.BuildFailed as exc:
        logger.info("UI of %s failed to build: %s", version.sid, exc)
        errors = exc.errors[:MAX_ERROR_LOCATIONS]
        return _finish(
            version,
            ui_status=UiStatus.FAILED,
            ui_error=esbuild.format_errors(errors)[:MAX_ERROR_LENGTH],
            ui_error_locations=errors,
        )
    artifact = artifact_store(content_hash=digest, output=output)
    return _finish(version, ui_status=UiStatus.READY, ui_artifact=artifact)
