"""Issue 2's figures: one push of 1,000 x 1 KB files vs 1,000 single PUTs, and status of a big session.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench .venv/bin/python bench/bench_sessions.py
"""

import os
import sys
from functools import partial
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import api_key, manage, median_ms, report, require_postgres, serve, timed

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
FILES = 1000
CONTENT = "x" * 1024


def files(tag: str) -> dict[str, str]:
    return {f"/app/src/module_{i:04d}.ts": f"// {tag}\n" + CONTENT[: 1024 - len(tag) - 4] for i in range(FILES)}


def main() -> None:
    require_postgres()
    manage("migrate", "--noinput")
    headers = {"Authorization": f"Bearer {api_key()}"}
    with serve() as base, httpx.Client(base_url=f"{base}/api/v1/stage", headers=headers, timeout=60) as client:

        def new_session() -> str:
            return client.post("/sessions").json()["data"]["id"]

        def one_push(session: str, payload: dict) -> None:
            client.post(f"/sessions/{session}/push", json={"files": payload}).raise_for_status()

        def single_puts(session: str, payload: dict) -> None:
            for path, content in payload.items():
                client.put(f"/sessions/{session}/files{path}", json={"content": content}).raise_for_status()

        push_samples, put_samples = [], []
        for run in range(RUNS):
            payload = files(f"run{run}")
            push_samples.append(timed(partial(one_push, new_session(), payload)))
            put_samples.append(timed(partial(single_puts, new_session(), payload)))

        push_ms, puts_ms = median_ms(push_samples), median_ms(put_samples)
        print(f"runs: {RUNS}, medians")
        report("push of 1,000 files x 1 KB (one request)", push_ms, "ms", "target <= 500 ms")
        report("1,000 single-file PUTs of the same files", puts_ms, "ms")
        report("speed-up of one push over 1,000 PUTs", puts_ms / push_ms, "x", "target >= 20x")

        session = new_session()
        for version in range(20):
            one_push(session, files(f"v{version}"))
        status_samples = [
            timed(lambda: client.get(f"/sessions/{session}/status").raise_for_status()) for _ in range(max(RUNS, 20))
        ]
        report("status of 1,000 paths x 20 versions", median_ms(status_samples), "ms", "target <= 50 ms")


if __name__ == "__main__":
    main()
