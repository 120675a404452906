"""Backend gateway figures on the production profile (`make serve`, 2 ASGI workers), with a slow tenant present:
an app that keeps its whole in-flight cap of 8-second requests open for the whole run.

- warm throughput through the gateway (wrk, 32 connections) and latency (wrk, 1 connection);
- the gateway's overhead: the same keep-alive Python client, the same bundle, through the gateway and straight
  to its sandbox's Unix socket, one of each in turn, median latencies and their ratio;
- the first request after a deploy (compile, start the sandbox, answer), median of 9;
- 50 apps called in turn, and the memory each idle sandbox holds (its cgroup's own count).

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_backend REDIS_URL=redis://127.0.0.1:6379/7 \\
    .venv/bin/python bench/bench_backend.py
"""

import asyncio
import os
import statistics
import sys
import tempfile
import threading
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
SLOW_IN_FLIGHT = 32
HEALTH = """import { Hono } from "hono";
const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok", tag: "%s" }));
export default app;
"""
SLOW = """export default { fetch: async (r: Request) => {
  if (new URL(r.url).pathname === "/warm") return new Response("warm");
  await new Promise((r) => setTimeout(r, 8000));
  return new Response("slow");
} };"""


def publish(client: httpx.Client, tag: str, source: str | None = None) -> tuple[str, str]:
    session = client.post("/sessions").json()["data"]["id"]
    files = {"/app/src/app.ts": source or HEALTH % tag}
    client.post(f"/sessions/{session}/push", json={"files": files}).raise_for_status()
    published = client.post("/apps", json={"sessionId": session, "name": f"bench-{tag}"})
    published.raise_for_status()
    return session, published.json()["data"]["sid"]


class SlowTenant:
    """Keeps SLOW_IN_FLIGHT requests to the slow app open, one replacing each that ends, until stopped."""

    def __init__(self, url: str):
        self.url, self.stopped = url, threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _keep_one(self, client: httpx.AsyncClient) -> None:
        while not self.stopped.is_set():
            try:
                await client.get(self.url)
            except httpx.HTTPError:
                await asyncio.sleep(0.1)

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=SLOW_IN_FLIGHT)) as client:
            await asyncio.gather(*(self._keep_one(client) for _ in range(SLOW_IN_FLIGHT)))

    def __enter__(self):
        self.thread.start()
        time.sleep(1)
        return self

    def __exit__(self, *exc):
        self.stopped.set()


def sandbox_socket(runtime_dir: str, tag: str) -> str:
    """The serve socket of the sandbox that answers /health with this tag."""
    for socket in Path(runtime_dir).glob("p*-*/serve.sock"):
        try:
            with httpx.Client(transport=httpx.HTTPTransport(uds=str(socket)), timeout=0.5) as client:
                if client.get("http://backend/health").json().get("tag") == tag:
                    return str(socket)
        except (httpx.HTTPError, ValueError):
            continue
    raise RuntimeError(f"no sandbox answers with tag {tag}")


def _runs_deno(group: Path) -> bool:
    """A sandbox, not a spare waiting for its next start (bubblewrap has not run the program in a spare)."""
    for pid in (group / "cgroup.procs").read_text().split():
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"/usr/bin/deno"):
                return True
        except OSError:
            continue
    return False


def sandbox_memory_mib() -> list[float]:
    """What each sandbox's memory cgroup counts now (v1 or v2), in MiB."""
    sizes = []
    for parent in (Path("/sys/fs/cgroup/memory/stage"), Path("/sys/fs/cgroup/stage")):
        for group in parent.glob("*-*"):
            if not group.is_dir() or not _runs_deno(group):
                continue
            for name in ("memory.usage_in_bytes", "memory.current"):
                if (group / name).exists():
                    sizes.append(int((group / name).read_text()) / (1 << 20))
    return sizes


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
        _, slow = publish(api, "slow", SLOW)
        url = f"{base}/stage/{sid}/api/health"
        with httpx.Client() as web:
            for _ in range(20):  # both workers start their sandboxes
                web.get(url).raise_for_status()
                web.get(f"{base}/stage/{slow}/api/warm").raise_for_status()
        direct_socket = sandbox_socket(runtime_dir, "warm")
        latency_runs, rps_runs, gateway_runs, direct_runs = [], [], [], []
        with (
            SlowTenant(f"{base}/stage/{slow}/api/"),
            httpx.Client() as gateway,
            httpx.Client(transport=httpx.HTTPTransport(uds=direct_socket)) as direct,
        ):
            for _ in range(RUNS):
                latency_runs.append(wrk(url, connections=1, seconds=WRK_SECONDS)[1])
                rps_runs.append(wrk(url, connections=32, seconds=WRK_SECONDS)[0])
                # interleaved, one of each in turn, so both see the same moment (not one just after the wrk blast)
                pairs = [
                    (timed(partial(gateway.get, url)), timed(partial(direct.get, "http://backend/health")))
                    for _ in range(REQUESTS)
                ]
                gateway_runs.append(median_ms([through for through, _ in pairs]))
                direct_runs.append(median_ms([straight for _, straight in pairs]))
        report("warm throughput through the gateway (wrk, 32 connections)", statistics.median(rps_runs), "req/s",
               ">= 2500/s")  # fmt: skip
        report("warm latency through the gateway (wrk, 1 connection), median", statistics.median(latency_runs), "ms")
        gateway_ms, direct_ms = statistics.median(gateway_runs), statistics.median(direct_runs)
        report("same client: through the gateway, median", gateway_ms, "ms", digits=2)
        report("same client: straight to the sandbox's socket, median", direct_ms, "ms", digits=2)
        report("gateway overhead ratio (gateway / direct), same run", gateway_ms / direct_ms, "x", "<= 2x", digits=2)

        first = []
        for run in range(max(RUNS, 9)):
            api.post(f"/sessions/{session}/push", json={"files": {"/app/src/app.ts": HEALTH % f"deploy-{run}"}})
            api.post(f"/apps/{sid}/deploy", json={"promote": True}).raise_for_status()
            start = time.perf_counter()
            body = httpx.get(url, timeout=30).json()
            first.append(time.perf_counter() - start)
            assert body["tag"] == f"deploy-{run}", body
        report("first request after a deploy (compile, sandbox, answer), median", median_ms(first), "ms",
               "<= 108 ms")  # fmt: skip

        sids = [publish(api, f"many-{i}")[1] for i in range(APPS)]
        answered = sum(httpx.get(f"{base}/stage/{s}/api/health", timeout=30).status_code == 200 for s in sids)
        report(f"{APPS} apps called in turn: answered", answered, "apps", f"= {APPS}")
        time.sleep(1)
        sizes = sandbox_memory_mib()
        report("sandboxes running", len(sizes), "")
        report("memory per idle sandbox (its cgroup's count), median", statistics.median(sizes), "MiB")


if __name__ == "__main__":
    main()
