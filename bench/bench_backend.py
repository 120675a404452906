"""Issue 5's figures: warm gateway requests (latency, throughput, overhead against Deno direct), the first
request after a deploy, and 50 apps called in turn with the memory of each idle Deno process.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_backend REDIS_URL=redis://127.0.0.1:6379/7 \
    .venv/bin/python bench/bench_backend.py
"""

import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import api_key, manage, median_ms, report, require_postgres, serve, timed, wrk

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
REQUESTS = 300
WRK_SECONDS = 4
APPS = 50
HEALTH = """import { Hono } from "hono";
const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok", tag: "%s" }));
export default app;
"""


def publish(client: httpx.Client, tag: str) -> tuple[str, str]:
    session = client.post("/sessions").json()["data"]["id"]
    client.post(f"/sessions/{session}/push", json={"files": {"/app/src/app.ts": HEALTH % tag}}).raise_for_status()
    published = client.post("/apps", json={"sessionId": session, "name": f"bench-{tag}"})
    published.raise_for_status()
    return session, published.json()["data"]["sid"]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def deno_pids(runtime_dir: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "deno" in cmdline and f"{runtime_dir}/p-" in cmdline and "unshare" not in cmdline.split("\0")[0]:
                pids.append(int(entry.name))
    return pids


def main() -> None:
    require_postgres()
    manage("migrate", "--noinput")
    runtime_dir = tempfile.mkdtemp(prefix="sbb-", dir="/tmp")
    env = {"STAGE_BACKEND_RUNTIME_DIR": runtime_dir, "STAGE_BACKEND_IDLE_SECONDS": "3600"}
    headers = {"Authorization": f"Bearer {api_key('bench-backend')}"}
    with (
        serve(workers=2, extra_env=env) as base,
        httpx.Client(base_url=f"{base}/api/v1/stage", headers=headers, timeout=60) as api,
    ):
        session, sid = publish(api, "warm")
        url = f"{base}/stage/{sid}/api/health"
        gateway_runs, direct_runs, rps_runs, floor_runs = [], [], [], []
        with httpx.Client() as web:
            for _ in range(20):  # both gunicorn workers start their process and compile
                web.get(url).raise_for_status()
        sockets = sorted(Path(runtime_dir).glob(f"p-{sid}-*/serve.sock"))
        direct_url = "http://backend/health"
        with httpx.Client(transport=httpx.HTTPTransport(uds=str(sockets[0]))) as direct:
            for _ in range(RUNS):
                # Latency: wrk with one connection, so requests never queue behind each other.
                gateway_runs.append(wrk(url, connections=1, seconds=WRK_SECONDS)[1])
                # The same bundle straight from its Deno process (a Python client: wrk cannot speak Unix sockets).
                direct_runs.append(median_ms([timed(partial(direct.get, direct_url)) for _ in range(REQUESTS)]))
                rps_runs.append(wrk(url, connections=4, seconds=WRK_SECONDS)[0])
                floor_runs.append(wrk(f"{base}/api/health", connections=1, seconds=WRK_SECONDS)[1])
        gateway, direct_ms = statistics.median(gateway_runs), statistics.median(direct_runs)
        report("warm GET /stage/<sid>/api/health, median (wrk, 1 connection)", gateway, "ms", "<= 5 ms")
        report("same bundle, its Deno process directly, median (httpx)", direct_ms, "ms")
        report("gateway overhead ratio (gateway / direct)", gateway / direct_ms, "x")
        report("warm throughput (wrk, 4 connections)", statistics.median(rps_runs), "req/s", ">= 300/s")
        report("floor: GET /api/health on the same gunicorn, median (wrk)", statistics.median(floor_runs), "ms")

        first = []
        for run in range(max(RUNS, 9)):
            api.post(f"/sessions/{session}/push", json={"files": {"/app/src/app.ts": HEALTH % f"deploy-{run}"}})
            api.post(f"/apps/{sid}/deploy", json={"promote": True}).raise_for_status()
            start = time.perf_counter()
            body = httpx.get(url, timeout=30).json()
            first.append(time.perf_counter() - start)
            assert body["tag"] == f"deploy-{run}", body
        report("first request after a deploy (compile, start, answer), median", median_ms(first), "ms", "<= 300 ms")

        sids = [publish(api, f"many-{i}")[1] for i in range(APPS)]
        answered = sum(httpx.get(f"{base}/stage/{s}/api/health", timeout=30).status_code == 200 for s in sids)
        report(f"{APPS} apps called in turn: answered", answered, "apps", f"= {APPS}")
        time.sleep(1)
        sizes = [rss_kb(pid) for pid in deno_pids(runtime_dir)]
        report("idle Deno processes running", len(sizes), "procs")
        report("memory per idle app process (RSS), median", statistics.median(sizes) / 1024, "MiB")


if __name__ == "__main__":
    main()
