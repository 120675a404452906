"""A render through a real Celery worker on Redis: trigger, the worker builds, the state says ready."""

import signal
import time
from datetime import timedelta

import pytest

from core.outbox import requeue_stuck
from tests.support.renders import BAD_IMPORT_APP, GOOD_APP, render_state
from tests.support.rest import data, new_session
from tests.support.worker import WorkerProcess

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def wait_for_finished(api, session_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = render_state(api, session_id)
        if state["status"] in ("ready", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"render still {state['status']} after {timeout}s")


def test_trigger_to_ready_through_a_real_worker(api, celery_worker_process):
    session_id = new_session(api, GOOD_APP)

    triggered = data(api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"))

    assert triggered == {"entry": "/app/App.tsx", "version": 1}
    state = wait_for_finished(api, session_id)
    assert state["status"] == "ready" and state["version"] == 1
    assert isinstance(state["buildMs"], int) and state["renderedAt"] is not None


def test_a_failing_build_through_a_real_worker_records_its_error(api, celery_worker_process):
    session_id = new_session(api, BAD_IMPORT_APP)

    data(api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"))

    state = wait_for_finished(api, session_id)
    assert state["status"] == "failed"
    assert 'Import "axios" is not available in Stage' in state["error"]


def test_a_worker_killed_mid_render_leaves_a_render_the_next_worker_finishes(api, celery_worker_process, tmp_path):
    # a big app keeps esbuild busy long enough to be caught building
    modules = {f"/app/m{i}.tsx": f"export const v{i} = {i};\n" + "// filler line\n" * 20 for i in range(400)}
    imports = "".join(f'import {{ v{i} }} from "./m{i}";\n' for i in range(400))
    total = " + ".join(f"v{i}" for i in range(400))
    app = imports + f"export default function App() {{ return <p>{{{total}}}</p>; }}\n"
    session_id = new_session(api, {**modules, "/app/App.tsx": app})
    data(api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"))
    deadline = time.monotonic() + 30
    while render_state(api, session_id)["status"] != "building":
        assert time.monotonic() < deadline, "the worker never started building"
        time.sleep(0.002)

    celery_worker_process.kill(signal.SIGKILL)
    assert render_state(api, session_id)["status"] == "building", "the build died with its worker"

    replacement = WorkerProcess(tmp_path / "replacement.log")
    replacement.start()
    try:
        # what every worker does as it starts, with "abandoned" brought forward from the task's hard time limit
        assert requeue_stuck(building_older_than=timedelta(0))["renders"] == 1
        state = wait_for_finished(api, session_id)
    finally:
        replacement.stop()
    assert state["status"] == "ready" and state["version"] == 1
