"""A backend's Deno process SIGKILLed from outside mid-request: that request is BACKEND_CRASHED, the next succeeds."""

import os
import signal
import threading
import time

import pytest
from prometheus_client import REGISTRY

from tests.support.publishing import publish

SLOW = """
import { Hono } from "hono";
const app = new Hono();
app.get("/slow", async (c) => { await new Promise((r) => setTimeout(r, 5000)); return c.json({ ok: true }); });
app.get("/health", (c) => c.json({ status: "ok" }));
export default app;
"""


@pytest.fixture
def backends(settings):
    from published_api.runtime import supervisor

    settings.STAGE_BACKEND_DEADLINE_SECONDS = 15.0
    yield supervisor
    supervisor.stop_all()


def _crashes() -> float:
    return REGISTRY.get_sample_value("stage_sandbox_kills_total", {"reason": "crashed"}) or 0.0


@pytest.mark.django_db(transaction=True)
def test_a_backend_killed_mid_request_fails_that_request_and_the_next_one_succeeds(client, user, backends):
    app = publish(user, SLOW)
    assert client.get(f"/stage/{app.sid}/api/health").status_code == 200
    before = _crashes()
    answers = []
    request = threading.Thread(target=lambda: answers.append(client.get(f"/stage/{app.sid}/api/slow")))
    request.start()
    time.sleep(1.0)  # the request is inside the backend, waiting on its timer
    (process,) = backends.processes()
    os.killpg(process.proc.pid, signal.SIGKILL)
    request.join(timeout=20)

    (crashed,) = answers
    assert crashed.status_code >= 500
    assert crashed.json()["success"] is False
    assert crashed.json()["error"]["code"] == "BACKEND_CRASHED"
    assert _crashes() == before + 1
    recovered = client.get(f"/stage/{app.sid}/api/health")
    assert recovered.status_code == 200
    assert recovered.json() == {"status": "ok"}
