"""Async runs and deliveries on a real Celery worker (Redis, the test database), including a killed worker."""

import json
import signal
import threading
import time

import pytest

from tests.support.waiting import wait_for
from tests.support.worker import WorkerProcess
from tests.support.workflows import publish_workflows, run
from tests.workflows.fakes import HttpServer
from workflows.models import Delivery, Run

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


@pytest.fixture
def short_leases(monkeypatch):
    """Workers started after this redeliver an unacked task after 2 s and take over a 1 s old claim."""
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "2")
    monkeypatch.setenv("STAGE_DELIVERY_LEASE_SECONDS", "1")
    monkeypatch.setenv("STAGE_UPSTREAM_TIMEOUT_SECONDS", "60")


def test_an_async_run_answers_202_and_finishes_on_the_worker(celery_worker_process, api):
    # given
    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {"id": "b", "billing.createItem": {"customerEmail": "a@b.co", "amountCents": "{{ input.n }}"}}
                ]
            }
        },
    )
    # when
    response = run(api, app["sid"], "w", {"n": 42}, query="?async=1", HTTP_IDEMPOTENCY_KEY="async-1")
    again = run(api, app["sid"], "w", {"n": 42}, query="?async=1", HTTP_IDEMPOTENCY_KEY="async-1")
    # then
    assert response.status_code == again.status_code == 202
    run_id = response.json()["data"]["runId"]
    assert again.json()["data"]["runId"] == run_id
    detail = wait_for(
        lambda: (d := api.get(f"/api/v1/stage/runs/{run_id}").json()["data"])["status"] == "succeeded" and d
    )
    assert detail["steps"][0]["output"]["amountCents"] == 42 and detail["async"] is True
    assert Run.objects.count() == 1


def webhook_app(api, url: str) -> dict:
    channel = api.post(
        "/api/v1/communication/channels",
        {"name": "hook", "kind": "webhook", "config": {"url": url, "secret": "topsecret"}},
        format="json",
    ).json()["data"]
    app = publish_workflows(
        api,
        {"w": {"steps": [{"communication.send": {"channelId": channel["id"], "to": "ops", "text": "{{ input.t }}"}}]}},
    )
    api.post("/api/v1/communication/registrations", {"appSid": app["sid"], "channelId": channel["id"]}, format="json")
    return app


@pytest.fixture
def held_receiver(monkeypatch):
    """A receiver that holds the first request open, as a slow provider would; workers may reach it."""
    release, first_seen = threading.Event(), threading.Event()

    def route(request):
        if not first_seen.is_set():
            first_seen.set()
            release.wait(60)
        return 200, {"ok": True}

    with HttpServer(route) as receiver:
        receiver.release, receiver.first_seen = release, first_seen
        monkeypatch.setenv("STAGE_EGRESS_ALLOW", receiver.url.removeprefix("http://"))
        yield receiver
        release.set()


def test_a_worker_killed_mid_delivery_leaves_one_delivery(
    short_leases, held_receiver, celery_worker_process, api, tmp_path
):
    # given a receiver holding the first request open
    receiver, release, first_seen = held_receiver, held_receiver.release, held_receiver.first_seen
    app = webhook_app(api, f"{receiver.url}/hook")
    assert run(api, app["sid"], "w", {"t": "hello"}).status_code == 200
    wait_for(first_seen.is_set)
    # when the worker dies mid-send, without acking (acks_late)
    celery_worker_process.kill(signal.SIGKILL)
    delivery = Delivery.objects.get()
    assert delivery.status == "sending" and delivery.attempts == 1
    # A starting worker restores unacked tasks older than the visibility timeout (2 s here) at once; later
    # sweeps are ~100 s apart, so start it after the timeout has passed.
    time.sleep(3)
    replacement = WorkerProcess(tmp_path / "worker2.log")
    replacement.start()
    try:
        # then the redelivered task takes the expired claim over and delivers, once, with the same key
        wait_for(lambda: Delivery.objects.get().status == "delivered", timeout=60)
    finally:
        release.set()
        replacement.stop()
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2
    keys = {request.headers["x-stage-delivery"] for request in receiver.requests}
    assert len(keys) == 1
    body = receiver.requests[-1].body
    assert json.loads(body)["text"] == "hello"
    assert receiver.requests[-1].headers["x-stage-signature"].startswith("sha256=")
