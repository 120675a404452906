"""A render through a real Celery worker on Redis: trigger, the worker builds, the state says ready."""

import time

import pytest

from tests.stage.helpers import data
from tests.stage.render_support import BAD_IMPORT_APP, GOOD_APP, pushed_session, render_state

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
    session_id = pushed_session(api, GOOD_APP)

    triggered = data(api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"))

    assert triggered == {"entry": "/app/App.tsx", "version": 1}
    state = wait_for_finished(api, session_id)
    assert state["status"] == "ready" and state["version"] == 1
    assert isinstance(state["buildMs"], int) and state["renderedAt"] is not None


def test_a_failing_build_through_a_real_worker_records_its_error(api, celery_worker_process):
    session_id = pushed_session(api, BAD_IMPORT_APP)

    data(api.post(f"/api/v1/stage/sessions/{session_id}/render", {}, format="json"))

    state = wait_for_finished(api, session_id)
    assert state["status"] == "failed"
    assert 'Import "axios" is not available in Stage' in state["error"]
