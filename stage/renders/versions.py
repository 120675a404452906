"""Build an app version's UI once, from the version's own immutable files, when the version is created.

The same builder and artifact store as session renders: a version whose files a render has already built
reuses that artifact, and a rebuilt version is a hash lookup.
"""

import logging

from django.utils import timezone

from stage.models import AppVersion
from stage.renders.artifacts import artifact_for
from stage.selectors.published_apps import version_files

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

    def failed(errors: list[dict], text: str) -> AppVersion:
        logger.info("UI of %s failed to build: %s", version.sid, text[:500])
        return _finish(version, ui_status=UiStatus.FAILED, ui_error=text, ui_error_locations=errors)

    return artifact_for(
        entry=version.ui_entry,
        files=version_files(version=version),
        binary=version_files(version=version, encoding="base64"),
        attach=lambda artifact: _finish(version, ui_status=UiStatus.READY, ui_artifact=artifact),
        fail=failed,
    )
