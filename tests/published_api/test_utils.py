"""@stage/utils: the spec's contract on fake time (in Deno), and for real through the gateway and egress."""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.publishing import publish

SCRIPT = Path(__file__).parent / "js" / "utils_test.js"


@pytest.fixture(scope="module")
def observed() -> dict:
    run = subprocess.run(
        [settings.STAGE_DENO, "run", "--no-prompt", str(SCRIPT)], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(run.stdout)


def _backoff_ok(waits: list[int]) -> bool:
    return all(2**attempt * 1000 <= wait <= 2**attempt * 1000 + 250 for attempt, wait in enumerate(waits))


def test_fetch_with_retry_retries_429_and_5xx_with_exponential_backoff_and_jitter(observed):
    assert observed["recovers"] == {
        "status": 200,
        "body": "attempt 3",
        "calls": 3,
        "waits": [1125, 2125],
        "method": "POST",
    }
    assert _backoff_ok(observed["recovers"]["waits"])


def test_fetch_with_retry_returns_the_last_response_after_max_retries(observed):
    assert (observed["exhausts_default"]["calls"], observed["exhausts_default"]["status"]) == (4, 500)
    assert observed["exhausts_default"]["body"] == "attempt 4"
    assert (observed["exhausts_five"]["calls"], len(observed["exhausts_five"]["waits"])) == (6, 5)
    assert _backoff_ok(observed["exhausts_five"]["waits"])


def test_other_statuses_return_at_once(observed):
    assert observed["no_retry_on_404"] == {
        "status": 404,
        "body": "attempt 1",
        "calls": 1,
        "waits": [],
        "method": "POST",
    }
    assert observed["no_retry_on_200"]["calls"] == 1


def test_batched_map_bounds_concurrency_and_keeps_input_order(observed):
    assert observed["batched"]["results"] == [n * 10 for n in range(12)]
    assert observed["batched"]["peak"] == 3
    assert observed["batched"]["peakDefault"] == 5
    assert observed["empty"] == []


def test_batched_map_rejects_with_the_first_rejection_and_starts_nothing_more(observed):
    assert observed["rejection"] == "item 2 failed"
    assert observed["startedAfterFailure"] == [1, 2, 3]


FLAKY_CLIENT = """
import { Hono } from "hono";
import { fetchWithRetry, batchedMap } from "@stage/utils";
const app = new Hono();
app.get("/flaky", async (c) => {
  const response = await fetchWithRetry(c.req.query("url")!, { method: "GET", headers: { "x-from": "backend" } }, 2);
  return c.json({ status: response.status, body: await response.text() });
});
app.get("/many", async (c) => {
  const base = c.req.query("url")!;
  const bodies = await batchedMap([1, 2, 3], async (n) => (await fetch(`${base}?n=${n}`)).text(), 2);
  return c.json(bodies);
});
export default app;
"""


@pytest.mark.django_db
def test_fetch_with_retry_from_a_backend_goes_through_egress_for_real(client, user, allow_local):
    # given a server that fails once, then answers
    allow_local.routes["/data"] = lambda n: (503, {}, b"busy") if n == 1 else (200, {}, b"payload")
    app = publish(user, FLAKY_CLIENT)
    # when
    response = client.get(f"/stage/{app.sid}/api/flaky", {"url": allow_local.url("/data")})
    # then
    assert response.json() == {"status": 200, "body": "payload"}
    assert [r["headers"].get("x-from") for r in allow_local.requests] == ["backend", "backend"]


@pytest.mark.django_db
def test_batched_map_with_fetch_from_a_backend(client, user, allow_local):
    allow_local.routes["/n"] = (200, {}, b"ok")
    app = publish(user, FLAKY_CLIENT)
    response = client.get(f"/stage/{app.sid}/api/many", {"url": allow_local.url("/n")})
    assert response.json() == ["ok", "ok", "ok"]
    assert sorted(r["path"] for r in allow_local.requests) == ["/n?n=1", "/n?n=2", "/n?n=3"]
