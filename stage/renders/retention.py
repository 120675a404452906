"""Keep render history and artifacts from growing without bound.

A session keeps its newest `keep` renders, and always its newest ready render (the one the preview shows) and
any render still being built; the rest of its history goes. An artifact that no render and no app version
references any more goes too, once it is older than a grace period: a build that has just stored a new
artifact has not pointed its render at it yet. A build that reuses an old artifact locks it until its render
points at it, and pruning skips locked artifacts, so pruning never takes an artifact from under a build. Shared
libraries of an earlier builder version go once no artifact runs on them.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from stage.models import Render, RenderArtifact, SharedLibrary
from stage.renders.build import UNFINISHED
from stage.renders.selectors import artifact_unused
from stage.renders.shared import builder_fingerprint

ARTIFACT_GRACE = timedelta(minutes=10)
BATCH = 1000


def renders_prune(*, keep: int) -> dict[str, int]:
    """Delete old render history beyond `keep` per session, then orphaned artifacts. Returns what was deleted."""
    if keep < 1:
        raise ValueError("keep at least one render per session")
    newest_ready = dict(
        Render.objects.filter(status=Render.Status.READY)
        .values("session_id")
        .annotate(version=Max("version"))
        .values_list("session_id", "version")
    )
    beyond_keep = (
        Render.objects.annotate(rank=Window(RowNumber(), partition_by=[F("session_id")], order_by=F("version").desc()))
        .filter(rank__gt=keep)
        .exclude(status__in=UNFINISHED)
        .values_list("pk", "session_id", "version")
    )
    old = [pk for pk, session_id, version in beyond_keep if newest_ready.get(session_id) != version]
    renders = _delete_in_batches(Render, old)
    artifacts = _prune_artifacts()
    return {"renders": renders, "artifacts": artifacts, "sharedLibraries": _prune_shared_libraries()}


def _delete_in_batches(model, pks: list[int]) -> int:
    deleted = 0
    for start in range(0, len(pks), BATCH):
        deleted += model.objects.filter(pk__in=pks[start : start + BATCH]).delete()[0]
    return deleted


def _prune_artifacts() -> int:
    cutoff = timezone.now() - ARTIFACT_GRACE
    unused = artifact_unused()
    deleted = 0
    while True:
        with transaction.atomic():
            orphans = list(
                RenderArtifact.objects.filter(unused, created_at__lt=cutoff)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:BATCH]
            )
            if not orphans:
                return deleted
            deleted += RenderArtifact.objects.filter(unused, pk__in=orphans).delete()[0]


def _prune_shared_libraries() -> int:
    """Those of earlier builder versions that no artifact runs on any more."""
    runs_on = Exists(RenderArtifact.objects.filter(shared=OuterRef("fingerprint")))
    stale = SharedLibrary.objects.exclude(fingerprint=builder_fingerprint()).filter(~runs_on)
    return stale.filter(created_at__lt=timezone.now() - ARTIFACT_GRACE).delete()[0]
