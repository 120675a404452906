"""The host runtime's figures (issue 19), on the production profile (`make serve`, its own runtime directory),
with a slow tenant present (an app that keeps 16 requests of 8 s open throughout):

- 4 web workers, 50 apps called in turn (over fresh connections, so every worker reaches each): sandboxes on the
  host, counted by the runtime and by the kernel (cgroups of the runtime's sandboxes, warm ones apart);
- the first request after a deploy (the warm pool gives the new version a running Deno), median of 9;
- APPS distinct apps (default 1,000) published and called in turn, then again in random order, under a runtime
  budget of RUNTIME_MB (default 1,024 MiB): every call answers its own app, p50 and p99, and the peak memory of
  every sandbox of the runtime together (sampled from their cgroups every 50 ms) against the budget.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_runtime REDIS_URL=redis://127.0.0.1:6379/6 \\
    .venv/bin/python bench/bench_runtime.py
"""

import os
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_backend import SLOW, SlowTenant, publish
from bench.harness import api_key, manage, median_ms, report, require_postgres, serve

APPS = int(os.environ.get("APPS", "1000"))
RUNTIME_MB = int(os.environ.get("RUNTIME_MB", "1024"))
TURN_APPS = 50
TAGGED = 'export default { fetch: () => new Response("%s") };'


def runtime_groups(runtime_pid: int) -> list[Path]:
    """The cgroups of the runtime's sandboxes (v1 memory hierarchy or v2), spares and warm ones included."""
    found = []
    for parent in (Path("/sys/fs/cgroup/memory/stage"), Path("/sys/fs/cgroup/stage")):
        found += [group for group in parent.glob(f"{runtime_pid}-*") if group.is_dir()]
    return found


def held_bytes(runtime_pid: int) -> int:
    total = 0
    for group in runtime_groups(runtime_pid):
        for name in ("memory.usage_in_bytes", "memory.current"):
            try:
                total += int((group / name).read_text())
                break
            except (OSError, ValueError):
                continue
    return total


class PeakMemory:
    def __init__(self, runtime_pid: int):
        self.runtime_pid, self.peak, self.stopped = runtime_pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self.stopped.wait(0.05):
            self.peak = max(self.peak, held_bytes(self.runtime_pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()


def stats(runtime_dir: str) -> dict:
    from django.conf import settings

    settings.STAGE_BACKEND_RUNTIME_DIR = runtime_dir
    from published_api.runtime_client import HostRuntimeClient

    return HostRuntimeClient().ask({"op": "stats"})


def timed_get(client: httpx.Client, url: str) -> tuple[float, str]:
    start = time.perf_counter()
    body = client.get(url).text
    return time.perf_counter() - start, body


def main() -> None:
    require_postgres()
    manage("migrate", "--noinput")
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    runtime_dir = tempfile.mkdtemp(prefix="sbr-", dir="/tmp")
    env = {
        "STAGE_BACKEND_RUNTIME_DIR": runtime_dir,
        "STAGE_BACKEND_IDLE_SECONDS": "3600",
        "STAGE_RUNTIME_MEMORY_MB": str(RUNTIME_MB),
        "STAGE_RUNTIME_MAX_PROCESSES": "1000",
    }
    headers = {"Authorization": f"Bearer {api_key('bench-runtime')}"}
    with (
        serve(workers=4, extra_env=env) as base,
        httpx.Client(base_url=f"{base}/api/v1/stage", headers=headers, timeout=120) as api,
    ):
        _, slow = publish(api, "slow", SLOW)
        httpx.get(f"{base}/stage/{slow}/api/warm", timeout=30).raise_for_status()
        with SlowTenant(f"{base}/stage/{slow}/api/"), httpx.Client(timeout=60) as web:
            turn = [publish(api, f"turn-{index}", TAGGED % f"turn-{index}")[1] for index in range(TURN_APPS)]
            for sid in turn:
                for _ in range(8):  # a fresh connection each: the four workers share them out
                    web.get(f"{base}/stage/{sid}/api/", headers={"Connection": "close"}).raise_for_status()
            running = stats(runtime_dir)
            apps_running = {process["app"] for process in running["processes"]}
            report(f"4 web workers, {TURN_APPS} apps in turn: sandboxes the runtime runs for them",
                   len(apps_running & set(turn)), "", f"= {TURN_APPS}")  # fmt: skip
            report("  sandboxes the runtime runs in all (the slow tenant's included)", len(running["processes"]), "")

            session, sid = publish(api, "deploy", TAGGED % "deploy-0")
            web.get(f"{base}/stage/{sid}/api/").raise_for_status()
            first = []
            for run in range(1, 10):
                api.post(f"/sessions/{session}/push", json={"files": {"/app/src/app.ts": TAGGED % f"deploy-{run}"}})
                api.post(f"/apps/{sid}/deploy", json={"promote": True}).raise_for_status()
                time.sleep(0.3)  # the pool refills (a deploy now and then, not a burst)
                took, body = timed_get(web, f"{base}/stage/{sid}/api/")
                assert body == f"deploy-{run}", body
                first.append(took)
            report("first request after a deploy (warm pool), median of 9", median_ms(first), "ms", "<= 50 ms")

            with ThreadPoolExecutor(4) as pool:
                many = list(pool.map(lambda i: publish(api, f"many-{i}", TAGGED % f"many-{i}")[1], range(APPS)))
            tags = {sid: f"many-{index}" for index, sid in enumerate(many)}
            runtime_pid = stats(runtime_dir)["pid"]
            for label, order in (("in turn", many), ("in random order", random.sample(many, len(many)))):
                latencies, wrong = [], 0
                with PeakMemory(runtime_pid) as peak:
                    for sid in order:
                        took, body = timed_get(web, f"{base}/stage/{sid}/api/")
                        latencies.append(took)
                        wrong += body != tags[sid]
                latencies.sort()
                report(f"{APPS} apps {label}: wrong or failed answers", wrong, "", "= 0")
                report("  p50", statistics.median(latencies) * 1000, "ms")
                report("  p99", latencies[int(len(latencies) * 0.99) - 1] * 1000, "ms")
                report(f"  peak memory of the runtime's sandboxes (budget {RUNTIME_MB} MiB)", peak.peak / 2**20,
                       "MiB", f"<= {RUNTIME_MB}")  # fmt: skip
            report("  sandboxes alive at the end", len(stats(runtime_dir)["processes"]), "")


if __name__ == "__main__":
    main()
