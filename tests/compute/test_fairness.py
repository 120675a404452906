"""One app's compute cannot starve another's: a cap on each app's open transactions per host, and a budget on
each transaction from its start, both enforced on the real store with real backends."""

import statistics
import time

import pytest

from published_api import host_slots
from tests.published_api.test_sandbox import _in_background
from tests.support.publishing import publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOG_COMPUTE = """
import { query } from "@stage/compute";
// Keeps its transaction busy: a read every 200 ms, never idle long enough for an idle timeout to end it.
export const hold = query({ handler: async (ctx, { seconds }) => {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    await ctx.db.query("t").take(1);
    await new Promise((r) => setTimeout(r, 200));
  }
  return "held";
} });
"""
HOG = """
import { Hono } from "hono";
import { compute } from "@stage/compute";
const app = new Hono();
app.get("/hog/:n", async (c) => {
  const n = Number(c.req.param("n"));
  const hold = () => compute.query("hog", "hold", { seconds: 30 });
  const outcomes = await Promise.allSettled(Array.from({ length: n }, hold));
  return c.json(outcomes.map((o) => (o.status === "fulfilled" ? o.value : String(o.reason.message))));
});
export default app;
"""
NEIGHBOUR_COMPUTE = """
import { query } from "@stage/compute";
export const count = query({ handler: async (ctx) => (await ctx.db.query("t").take(5)).length });
"""
NEIGHBOUR = """
import { Hono } from "hono";
import { compute } from "@stage/compute";
const app = new Hono();
app.get("/call", async (c) => {
  const started = performance.now();
  await compute.query("neighbour", "count", {});
  return c.json({ ms: performance.now() - started });
});
export default app;
"""


def call_ms(client, app) -> float:
    response = client.get(f"/stage/{app.sid}/api/call")
    assert response.status_code == 200, response.content
    return response.json()["ms"]


def test_an_app_holding_transactions_cannot_delay_anothers_compute_call(client, user, settings):
    settings.STAGE_COMPUTE_TRANSACTION_SECONDS = 2.0
    hog = publish(user, {"/app/src/app.ts": HOG, "/app/compute/hog.ts": HOG_COMPUTE}, name="hog")
    neighbour = publish(user, {"/app/src/app.ts": NEIGHBOUR, "/app/compute/neighbour.ts": NEIGHBOUR_COMPUTE}, name="n")
    baseline = statistics.median(call_ms(client, neighbour) for _ in range(15))
    # when the hog asks for 10 long transactions at once
    hog_thread, results = _in_background(lambda: client.get(f"/stage/{hog.sid}/api/hog/6"))
    time.sleep(1.0)
    # then it holds no more than its cap (the rest wait for its own slots), and the neighbour is as fast as before
    assert host_slots.held("compute", hog.sid, settings.STAGE_COMPUTE_APP_MAX_TRANSACTIONS) == (
        settings.STAGE_COMPUTE_APP_MAX_TRANSACTIONS
    )
    during = statistics.median(call_ms(client, neighbour) for _ in range(15))
    assert during - baseline <= 100, (baseline, during)
    hog_thread.join(30)
    outcomes = results["response"].json()
    # and every one of its transactions was ended at its budget, three at a time, or gave up waiting for its turn
    assert all("time budget" in str(o) or "cap on this host" in str(o) for o in outcomes), outcomes
    assert sum("time budget" in str(o) for o in outcomes) >= settings.STAGE_COMPUTE_APP_MAX_TRANSACTIONS
    assert host_slots.held("compute", hog.sid, settings.STAGE_COMPUTE_APP_MAX_TRANSACTIONS) == 0
