"""Renders through the API with the build running in-process: states, reuse, staleness, failures."""

import pytest

from stage.models import Render, RenderArtifact
from stage.renders import esbuild
from stage.renders.build import render_build
from tests.support.renders import BAD_IMPORT_APP, GOOD_APP, render_state, trigger
from tests.support.rest import data, error, new_session


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_a_render_builds_and_its_state_says_ready_with_build_time(api, capture):
    session_id = new_session(api, GOOD_APP)

    assert trigger(api, session_id, capture) == {"entry": "/app/App.tsx", "version": 1}

    state = render_state(api, session_id)
    assert state["status"] == "ready"
    assert state["version"] == 1 and state["entry"] == "/app/App.tsx"
    assert state["error"] is None and state["errorLocations"] is None
    assert isinstance(state["renderedAt"], int) and state["renderedAt"] > 1_600_000_000_000
    assert isinstance(state["buildMs"], int) and state["buildMs"] >= 0
    render = Render.objects.get(session__public_id=session_id, version=1)
    assert "Hello from Stage" in render.artifact.js
    assert render.artifact.size == len(render.artifact.js.encode()) + len(render.artifact.css.encode())


def test_a_render_that_does_not_build_fails_with_located_errors(api, capture):
    session_id = new_session(api, BAD_IMPORT_APP)

    trigger(api, session_id, capture)

    state = render_state(api, session_id)
    assert state["status"] == "failed"
    assert state["renderedAt"] is None and state["buildMs"] is None
    message = 'Import "axios" is not available in Stage (imported by /app/App.tsx); available: react, react-dom, '
    message += "react-dom/client, lodash, lodash/*, papaparse, recharts, lucide-react, react-hook-form, clsx, "
    message += "tailwind-merge, class-variance-authority, @/components/ui/*, @/lib/utils, @stage/*"
    code = "import axios from 'axios';"
    assert state["error"] == f"/app/App.tsx:1:19: {message}\n    1 | {code}\n      | {' ' * 18}^"
    location = {"file": "/app/App.tsx", "line": 1, "column": 19, "message": message, "lineText": code}
    assert state["errorLocations"] == [location]
    assert RenderArtifact.objects.count() == 0


def test_rendering_unchanged_files_reuses_the_artifact_without_running_esbuild(api, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)
    builds_before = esbuild.server.calls

    trigger(api, session_id, capture)

    first, second = Render.objects.filter(session__public_id=session_id).order_by("version")
    assert second.status == Render.Status.READY
    assert second.artifact_id == first.artifact_id
    assert esbuild.server.calls == builds_before
    assert RenderArtifact.objects.count() == 1


def test_changing_a_file_builds_a_new_artifact(api, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)
    changed = [{"path": "/app/Hello.tsx", "content": "export default () => <h1>Changed text</h1>;"}]
    api.post(f"/api/v1/stage/sessions/{session_id}/push", {"files": changed}, format="json")

    trigger(api, session_id, capture)

    first, second = Render.objects.filter(session__public_id=session_id).order_by("version")
    assert second.artifact_id != first.artifact_id
    assert "Changed text" in second.artifact.js


def test_an_older_render_built_late_never_replaces_the_newer_one(api, capture):
    # given: v1 is requested but its task has not run; v2 is requested and built
    session_id = new_session(api, GOOD_APP)
    data(api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"))
    trigger(api, session_id, capture)

    # when: v1's task finally runs
    v1 = Render.objects.get(session__public_id=session_id, version=1)
    render_build(render_id=v1.pk)

    # then: v1 is marked superseded and the state still shows v2, ready
    v1.refresh_from_db()
    assert v1.status == Render.Status.FAILED and v1.artifact_id is None
    assert v1.error == "Superseded by render version 2 before it was built"
    state = render_state(api, session_id)
    assert (state["version"], state["status"]) == (2, "ready")


def test_running_the_task_again_leaves_a_finished_render_as_it_was(api, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)
    render = Render.objects.get(session__public_id=session_id)

    again = render_build(render_id=render.pk)

    assert (again.status, again.rendered_at, again.build_ms) == (render.status, render.rendered_at, render.build_ms)
    assert render_build(render_id=10**9) is None


def test_a_build_that_overruns_its_deadline_fails_and_the_next_build_works(api, capture, settings):
    session_id = new_session(api, GOOD_APP)
    settings.STAGE_RENDER_TIMEOUT_SECONDS = 0.001
    trigger(api, session_id, capture)
    assert render_state(api, session_id)["error"] == "The build timed out"

    settings.STAGE_RENDER_TIMEOUT_SECONDS = 30
    trigger(api, session_id, capture)

    assert render_state(api, session_id)["status"] == "ready"


def test_a_missing_node_fails_the_render_with_a_clear_message(api, capture, settings):
    session_id = new_session(api, GOOD_APP)
    esbuild.server.stop()
    settings.STAGE_NODE = "/nonexistent/node"
    try:
        trigger(api, session_id, capture)
    finally:
        settings.STAGE_NODE = "node"

    state = render_state(api, session_id)
    assert state["status"] == "failed"
    assert state["error"] == "Node.js not found (/nonexistent/node)"


def test_the_convex_render_state_carries_status_and_build_time(api, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    response = api.post(
        "/api/query", {"path": "stage:getRenderState", "args": {"sessionId": session_id}}, format="json"
    )

    value = response.json()["value"]
    assert value["status"] == "ready" and isinstance(value["buildMs"], int)


def test_render_and_its_state_are_the_owners_alone(api, other_api, anon_api, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    error(other_api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"), 404, "NOT_FOUND")
    error(other_api.get(f"/api/v1/stage/sessions/{session_id}/status"), 404, "NOT_FOUND")
    error(anon_api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"), 401, "UNAUTHORIZED")
    assert Render.objects.filter(session__public_id=session_id).count() == 1
