"""Redis killed under a serving gunicorn and a running Celery worker, then started again empty.

While it is down the REST API keeps serving reads and writes (rate limits fail open), a backend compiles on a
cold miss without the shared bundle cache, and renders and async workflow runs answer at once as `queued`.
When Redis returns, the worker reconnects and sends again what was queued, so every render and run finishes:
nothing acknowledged is lost, although Redis came back with none of its data.
"""

import json
from contextlib import contextmanager

import httpx
import pytest

from bench.harness import free_port, serve
from core.keys import apikey_create
from core.models import UnsentTask
from tests.proof.redis_instance import PrivateRedis
from tests.support.waiting import wait_for
from tests.support.worker import WorkerProcess, worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]

APP_TSX = "export default function App() { return <h1>%s</h1>; }\n"
BACKEND = """import { Hono } from "hono";
const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok", tag: "%s" }));
export default app;
"""
WORKFLOWS = {
    "version": 1,
    "workflows": {
        "bill": {
            "steps": [{"id": "b", "billing.createItem": {"customerEmail": "a@b.co", "amountCents": "{{ input.n }}"}}]
        }
    },
}


@pytest.fixture
def private_redis():
    server = PrivateRedis(free_port())
    server.start()
    yield server
    server.stop()


@contextmanager
def running_platform(user, tmp_path, *, web_redis: str, worker_redis: str):
    """gunicorn and a Celery worker on the test database, each on its own Redis URL; yields an API client."""
    _, key = apikey_create(user=user)
    common = {
        "DATABASE_URL": worker_environment()["DATABASE_URL"],
        "STAGE_RATE_LIMIT_PER_KEY": "1000/min",  # on, to show that a cache outage does not make it refuse
        "STAGE_UNSENT_SWEEP_SECONDS": "0.5",
    }
    worker = WorkerProcess(tmp_path / "worker.log", extra_env={**common, "REDIS_URL": worker_redis})
    worker.start()
    try:
        with (
            serve(workers=2, extra_env={**common, "REDIS_URL": web_redis}, log=tmp_path / "serve.log") as base,
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http,
        ):
            yield http
    finally:
        worker.stop()


@pytest.fixture
def platform(transactional_db, user, private_redis, tmp_path):
    with running_platform(user, tmp_path, web_redis=private_redis.url, worker_redis=private_redis.url) as http:
        yield http


def test_redis_outage_keeps_the_api_serving_and_loses_no_queued_work(platform, private_redis):
    http = platform
    session = _created(http.post("/api/v1/stage/sessions", json={"name": "before"}))["id"]
    _ok(http.post(f"/api/v1/stage/sessions/{session}/push", json={"files": {"/app/App.tsx": APP_TSX % "one"}}))
    _ok(http.post(f"/api/v1/stage/sessions/{session}/render", json={"entry": "/app/App.tsx"}))
    wait_for(lambda: _render(http, session)["status"] == "ready")  # the worker is up and connected
    workflows = _published(http, {"/app/shift.workflows.json": json.dumps(WORKFLOWS)}, "wf")

    # when: Redis dies under the serving platform
    private_redis.stop()

    # then: reads and writes keep working, rate limiting included (it fails open)
    assert _ok(http.get(f"/api/v1/stage/sessions/{session}/status"))["render"]["status"] == "ready"
    _ok(http.post(f"/api/v1/stage/sessions/{session}/push", json={"files": {"/app/App.tsx": APP_TSX % "two"}}))
    during = _created(http.post("/api/v1/stage/sessions", json={"name": "during"}))["id"]
    files = {f["path"]: f["content"] for f in _ok(http.get(f"/api/v1/stage/sessions/{session}/files?content=true"))}
    assert files["/app/App.tsx"] == APP_TSX % "two"

    # a backend deployed now compiles on its first request without the shared bundle cache
    backend = _published(http, {"/app/src/app.ts": BACKEND % "outage"}, "api")
    answer = http.get(f"/stage/{backend}/api/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "tag": "outage"}

    # a render and an async run are accepted and say they are queued: no 500, nothing refused
    version = _ok(http.post(f"/api/v1/stage/sessions/{session}/render", json={"entry": "/app/App.tsx"}))["version"]
    queued = _render(http, session)
    assert (queued["version"], queued["status"]) == (version, "queued")
    accepted = http.post(f"/api/v1/run/{workflows}/bill?async=1", json={"input": {"n": 42}})
    assert accepted.status_code == 202, accepted.text
    run_id = accepted.json()["data"]["runId"]
    assert _ok(http.get(f"/api/v1/stage/runs/{run_id}"))["status"] == "queued"
    # a synchronous run needs no broker at all
    sync = http.post(f"/api/v1/run/{workflows}/bill", json={"input": {"n": 7}})
    assert sync.status_code == 200, sync.text

    # when: Redis comes back, with none of its data
    private_redis.start()

    # then: the worker reconnects and sends again what was queued; both finish
    wait_for(lambda: _render(http, session)["status"] == "ready", timeout=90)
    assert _render(http, session)["version"] == version
    finished = wait_for(lambda: (d := _ok(http.get(f"/api/v1/stage/runs/{run_id}")))["status"] == "succeeded" and d)
    assert finished["steps"][0]["output"]["amountCents"] == 42
    names = {s["name"] for s in _ok(http.get("/api/v1/stage/sessions"))["results"]}
    assert {"before", "during"} <= names and during


def test_a_web_process_cut_off_from_redis_hands_its_sends_to_a_worker_that_reaches_it(
    transactional_db, user, private_redis, tmp_path
):
    unreachable = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with running_platform(user, tmp_path, web_redis=unreachable, worker_redis=private_redis.url) as http:
        session = _created(http.post("/api/v1/stage/sessions", json={"name": "cut off"}))["id"]
        _ok(http.post(f"/api/v1/stage/sessions/{session}/push", json={"files": {"/app/App.tsx": APP_TSX % "x"}}))
        workflows = _published(http, {"/app/shift.workflows.json": json.dumps(WORKFLOWS)}, "wf")

        version = _ok(http.post(f"/api/v1/stage/sessions/{session}/render", json={"entry": "/app/App.tsx"}))["version"]
        accepted = http.post(f"/api/v1/run/{workflows}/bill?async=1", json={"input": {"n": 5}})
        assert accepted.status_code == 202, accepted.text

        # the sends went to the outbox, and the worker, which reaches Redis, sends them: no restart, no operator
        ready = wait_for(lambda: (r := _render(http, session))["status"] == "ready" and r)
        assert ready["version"] == version
        run_id = accepted.json()["data"]["runId"]
        wait_for(lambda: _ok(http.get(f"/api/v1/stage/runs/{run_id}"))["status"] == "succeeded")
    assert not UnsentTask.objects.exists()


def _published(http: httpx.Client, files: dict, name: str) -> str:
    session = _created(http.post("/api/v1/stage/sessions", json={"name": name}))["id"]
    _ok(http.post(f"/api/v1/stage/sessions/{session}/push", json={"files": files}))
    return _created(http.post("/api/v1/stage/apps", json={"sessionId": session, "name": name}))["sid"]


def _render(http: httpx.Client, session: str) -> dict:
    return _ok(http.get(f"/api/v1/stage/sessions/{session}/status"))["render"]


def _ok(response: httpx.Response):
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _created(response: httpx.Response):
    assert response.status_code == 201, response.text
    return response.json()["data"]
