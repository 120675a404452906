"""Render history and artifacts are pruned without ever taking what a preview shows or a build uses."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from stage.models import Render, RenderArtifact
from stage.renders.retention import renders_prune
from tests.support.factories import SessionFactory
from tests.support.renders import GOOD_APP, render_state, trigger
from tests.support.rest import new_session

pytestmark = pytest.mark.django_db

READY, FAILED, QUEUED, BUILDING = (
    Render.Status.READY,
    Render.Status.FAILED,
    Render.Status.QUEUED,
    Render.Status.BUILDING,
)


def _artifact(tag: str, *, age: timedelta = timedelta(hours=1)) -> RenderArtifact:
    artifact = RenderArtifact.objects.create(content_hash=tag.ljust(64, "0"), js=f"/* {tag} */", size=10)
    RenderArtifact.objects.filter(pk=artifact.pk).update(created_at=timezone.now() - age)
    return artifact


def _history(session, statuses, artifacts=None) -> None:
    """Renders version 1..n with these statuses (oldest first); ready ones get the given artifacts in turn."""
    artifacts = iter(artifacts or [])
    for version, status in enumerate(statuses, start=1):
        artifact = next(artifacts) if status == READY else None
        Render.objects.create(session=session, version=version, entry="/app/App.tsx", status=status, artifact=artifact)


def _versions(session) -> list[int]:
    return sorted(Render.objects.filter(session=session).values_list("version", flat=True))


def test_a_session_keeps_its_newest_renders_and_its_newest_ready_one_however_old():
    session = SessionFactory()
    shown, older = _artifact("shown"), _artifact("older")
    _history(session, [READY, READY, FAILED, FAILED, FAILED], [older, shown])

    deleted = renders_prune(keep=2)

    assert _versions(session) == [2, 4, 5]  # 2 is what the preview shows: the newest ready render
    assert deleted == {"renders": 2, "artifacts": 1, "sharedLibraries": 0}
    assert list(RenderArtifact.objects.values_list("pk", flat=True)) == [shown.pk]


def test_a_session_that_never_rendered_ready_is_pruned_too_and_unfinished_renders_are_never_taken():
    failing, building = SessionFactory(), SessionFactory()
    _history(failing, [FAILED, FAILED, FAILED])
    _history(building, [QUEUED, BUILDING, FAILED])  # superseded but still owned by a task

    renders_prune(keep=1)

    assert _versions(failing) == [3]
    assert _versions(building) == [1, 2, 3]


def test_an_artifact_shared_by_two_sessions_stays_while_either_uses_it_and_a_fresh_orphan_waits_its_grace():
    first, second = SessionFactory(), SessionFactory()
    shared = _artifact("shared")
    _history(first, [READY, FAILED], [shared])
    _history(second, [READY], [shared])
    fresh = _artifact("fresh", age=timedelta(seconds=5))  # just stored by a build about to point a render at it

    renders_prune(keep=1)

    assert set(RenderArtifact.objects.values_list("content_hash", flat=True)) == {
        shared.content_hash,
        fresh.content_hash,
    }


def test_the_preview_still_serves_after_pruning(api, client, django_capture_on_commit_callbacks):
    session_id = new_session(api, GOOD_APP)
    for _ in range(3):
        trigger(api, session_id, django_capture_on_commit_callbacks)
    before = render_state(api, session_id)

    call_command("prune_renders", "--keep", "1")

    assert render_state(api, session_id) == before
    assert Render.objects.filter(session__public_id=session_id).count() == 1
    assert "Hello from Stage" in client.get(f"/s/{session_id}/frame").content.decode()
