"""Issues 6 and 19: compute.mutation inserting one document (issue 19's target: <= 2 ms median) and
compute.query with an equality filter over 10,000 documents, both called from an app's backend (timed inside the
backend with performance.now(), so the figure is the call as the backend sees it: bridge, PostgreSQL, back),
BENCH_RUNS runs of 200 calls, the median of the run medians; the machine's load average is printed beside them.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_compute REDIS_URL=redis://127.0.0.1:6379/9 \
    .venv/bin/python bench/bench_compute.py
"""

import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import api_key, manage, report, require_postgres, serve

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CALLS = 200
DOCUMENTS = 10_000
BUCKETS = 100  # each equality query matches DOCUMENTS / BUCKETS documents

ITEMS = """
import { mutation, query } from "@stage/compute";
export const add = mutation({ handler: async (ctx, doc) => await ctx.db.insert("items", doc) });
export const seed = mutation({ handler: async (ctx, { from, count, buckets }) => {
  for (let i = from; i < from + count; i++) await ctx.db.insert("docs", { n: i, bucket: i % buckets, text: `d${i}` });
} });
export const byBucket = query({ handler: async (ctx, { bucket }) =>
  await ctx.db.query("docs").filter((q) => q.eq(q.field("bucket"), bucket)).collect() });
"""

BACKEND = """
import { Hono } from "hono";
import { compute } from "@stage/compute";
const app = new Hono();
async function times(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(i); out.push(performance.now() - t); }
  return out;
}
app.post("/insert", async (c) => c.json(await times(Number(c.req.query("n")), (i) =>
  compute.mutation("items", "add", { title: `item ${i}`, done: false }))));
app.post("/seed", async (c) => {
  const { total, buckets } = await c.req.json();
  for (let from = 0; from < total; from += 500) await compute.mutation("items", "seed", { from, count: 500, buckets });
  return c.json({ ok: true });
});
app.post("/query", async (c) => {
  const buckets = Number(c.req.query("buckets"));
  let matched = 0;
  const ms = await times(Number(c.req.query("n")), async (i) => {
    matched = (await compute.query("items", "byBucket", { bucket: i % buckets })).length;
  });
  return c.json({ ms, matched });
});
export default app;
"""


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    print(f"load average at the start: {load()}")
    require_postgres()
    manage("migrate", "--noinput")
    env = {
        "STAGE_BACKEND_RUNTIME_DIR": tempfile.mkdtemp(prefix="sbc-", dir="/tmp"),
        "STAGE_BACKEND_DEADLINE_SECONDS": "120",
    }
    headers = {"Authorization": f"Bearer {api_key('bench-compute')}"}
    with (
        serve(workers=1, extra_env=env) as base,
        httpx.Client(base_url=f"{base}/api/v1/stage", headers=headers, timeout=120) as api,
    ):
        session = api.post("/sessions").json()["data"]["id"]
        files = {"/app/src/app.ts": BACKEND, "/app/compute/items.ts": ITEMS}
        api.post(f"/sessions/{session}/push", json={"files": files}).raise_for_status()
        sid = api.post("/apps", json={"sessionId": session, "name": "bench-compute"}).json()["data"]["sid"]
        with httpx.Client(base_url=f"{base}/stage/{sid}/api", timeout=120) as web:
            web.post("/insert?n=20").raise_for_status()  # warm: process, bundle, pooled connections
            inserts = [statistics.median(web.post(f"/insert?n={CALLS}").json()) for _ in range(RUNS)]
            web.post("/seed", json={"total": DOCUMENTS, "buckets": BUCKETS}).raise_for_status()
            web.post(f"/query?n=20&buckets={BUCKETS}").raise_for_status()
            runs = [web.post(f"/query?n={CALLS}&buckets={BUCKETS}").json() for _ in range(RUNS)]
    report(
        f"compute.mutation inserting one document, median of {RUNS} runs", statistics.median(inserts), "ms", "<= 2 ms"
    )
    report(
        f"compute.query eq filter over {DOCUMENTS} docs ({runs[0]['matched']} match), median",
        statistics.median(statistics.median(run["ms"]) for run in runs),
        "ms",
        "<= 30 ms",
    )
    print(f"per-run medians: insert {[round(x, 2) for x in inserts]}, "
          f"query {[round(statistics.median(r['ms']), 2) for r in runs]}")  # fmt: skip
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
