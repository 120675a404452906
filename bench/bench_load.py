"""Issue 9's load run: gunicorn and a real Celery worker on loopback, mixed operations for a bounded time.

Pushes, status reads, renders, gateway requests and workflow runs from several client threads; prints
throughput and p50/p95/p99 per operation and the error count (must be 0), then verifies that nothing was lost:
every acknowledged push is present with the acknowledged content, and every session's last acknowledged render
is built (`ready`) by the worker. Earlier renders of a session are superseded by design.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_load REDIS_URL=redis://127.0.0.1:6379/9 \
    .venv/bin/python bench/bench_load.py          # BENCH_SECONDS=60 BENCH_THREADS=8
"""

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_backend import publish as publish_backend
from bench.harness import PYTHON, ROOT, api_key, manage, require_postgres, serve

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SESSIONS = 16
WORKFLOW = {
    "version": 1,
    "workflows": {"echo": {"steps": [{"response": {"status": 200, "body": {"n": "{{ input.n }}"}}}]}},
}
APP_TSX = "export default function App() { return <h1>Load %d</h1>; }\n"
OPERATIONS = ("push", "status", "render", "gateway", "workflow")
WEIGHTS = (35, 35, 5, 15, 10)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    require_postgres()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL=redis://... : renders go through a real worker on Redis.")
    manage("migrate", "--noinput")
    key = api_key("bench-load")
    headers = {"Authorization": f"Bearer {key}"}
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "config", "worker", "-c", "2", "--loglevel=WARNING"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "bench-only-secret"},
    )
    try:
        with serve(workers=4) as base, httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as api:
            run(base, api, headers)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def run(base: str, api: httpx.Client, headers: dict) -> None:
    sessions = [api.post("/stage/sessions", json={"name": f"load-{i}"}).json()["data"]["id"] for i in range(SESSIONS)]
    with httpx.Client(base_url=f"{base}/api/v1/stage", headers=headers, timeout=60) as stage_api:
        _, backend_sid = publish_backend(stage_api, "load")
    wf_session = api.post("/stage/sessions").json()["data"]["id"]
    api.post(f"/stage/sessions/{wf_session}/push", json={"files": {"/app/shift.workflows.json": json.dumps(WORKFLOW)}})
    workflow_sid = api.post("/stage/apps", json={"sessionId": wf_session, "name": "load-wf"}).json()["data"]["sid"]
    httpx.get(f"{base}/stage/{backend_sid}/api/health", timeout=60).raise_for_status()  # compile + start Deno

    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    acknowledged: dict[tuple[str, str], str] = {}
    last_render: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client_thread(index: int) -> None:
        rng = random.Random(index)
        n = 0
        with (
            httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as http,
            httpx.Client(base_url=base, timeout=60) as public,
        ):
            while time.monotonic() < deadline:
                n += 1
                operation = rng.choices(OPERATIONS, WEIGHTS)[0]
                session = rng.choice(sessions)
                path, content = f"/app/t{index}/f{n % 50}.ts", f"export const v = {index * 1_000_000 + n};\n"
                start = time.perf_counter()
                try:
                    if operation == "push":
                        response = http.post(f"/stage/sessions/{session}/push", json={"files": {path: content}})
                    elif operation == "status":
                        response = http.get(f"/stage/sessions/{session}/status")
                    elif operation == "render":
                        http.post(f"/stage/sessions/{session}/push", json={"files": {"/app/App.tsx": APP_TSX % n}})
                        start = time.perf_counter()
                        response = http.post(f"/stage/sessions/{session}/render", json={"entry": "/app/App.tsx"})
                    elif operation == "gateway":
                        response = public.get(f"/stage/{backend_sid}/api/health")
                    else:
                        response = http.post(f"/run/{workflow_sid}/echo", json={"input": {"n": n}})
                    elapsed = time.perf_counter() - start
                except httpx.HTTPError as exc:
                    with lock:
                        errors[operation].append(repr(exc))
                    continue
                with lock:
                    if response.status_code >= 400:
                        errors[operation].append(f"{response.status_code} {response.text[:200]}")
                        continue
                    latencies[operation].append(elapsed)
                    if operation == "push":
                        acknowledged[(session, path)] = content  # later pushes of the same path win
                    elif operation == "render":
                        version = response.json()["data"]["version"]
                        last_render[session] = max(version, last_render.get(session, 0))

    threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started

    total = sum(len(v) for v in latencies.values())
    print(f"load: {THREADS} client threads, {wall:.0f} s, gunicorn 4 workers + 1 Celery worker (2 processes)")
    print(f"{'operation':<10} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for operation in OPERATIONS:
        samples = latencies[operation]
        if samples:
            print(
                f"{operation:<10} {len(samples):>7} {len(samples) / wall:>8.1f} {percentile(samples, 0.5):>8.1f}"
                f" {percentile(samples, 0.95):>8.1f} {percentile(samples, 0.99):>8.1f} {len(errors[operation]):>7}"
            )
    print(f"{'all':<10} {total:>7} {total / wall:>8.1f}{'':>27} {sum(len(v) for v in errors.values()):>7}")
    for operation, messages in errors.items():
        for message in messages[:3]:
            print(f"  error in {operation}: {message}")

    # Nothing lost: every acknowledged push reads back with its last acknowledged content.
    missing = 0
    with httpx.Client(base_url=f"{base}/api/v1", headers=api.headers, timeout=60) as http:
        for session in sessions:
            files = {
                f["path"]: f.get("content")
                for f in http.get(f"/stage/sessions/{session}/files?content=true").json()["data"]
            }
            for (owner, path), content in acknowledged.items():
                if owner == session and files.get(path) != content:
                    missing += 1
    print(f"acknowledged pushes verified: {len(acknowledged)} distinct files, {missing} missing or stale")
    verify_renders(base, api.headers, last_render)
    print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def verify_renders(base: str, headers, last_render: dict[str, int], timeout: float = 120) -> None:
    """Wait until each session's last acknowledged render has finished; count how many the worker built."""
    outcome: dict[str, str] = {}
    started = time.monotonic()
    deadline = started + timeout
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as http:
        while len(outcome) < len(last_render) and time.monotonic() < deadline:
            for session, version in last_render.items():
                if session in outcome:
                    continue
                render = http.get(f"/stage/sessions/{session}/status").json()["data"]["render"] or {}
                if render.get("version") == version and render.get("status") in ("ready", "failed"):
                    outcome[session] = render["status"]
            time.sleep(0.2)
    ready = sum(status == "ready" for status in outcome.values())
    print(
        f"last acknowledged render per session: {len(last_render)} sessions, {ready} built (ready),"
        f" {len(outcome) - ready} failed, {len(last_render) - len(outcome)} unfinished"
        f" ({time.monotonic() - started:.1f} s after the run)"
    )


if __name__ == "__main__":
    main()
