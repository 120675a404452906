"""Issue 8's figures: what the SDK adds to a call, what a `stage` process costs, and a CLI push of 2,000 files.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_sdk .venv/bin/python bench/bench_sdk.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from stage_sdk import create_client
from stage_sdk.models import SessionStatus
from stage_sdk.transport import Call, result

from bench.harness import ROOT, api_key, manage, median_ms, report, require_postgres, serve, timed

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CALLS = 200
PUSH_FILES = 2000
STAGE = str(ROOT / ".venv" / "bin" / "stage")


def parse_ms() -> float:
    """The SDK's own cost, without the network: envelope check and typed results for a 1,000-file status."""
    files = [{"path": f"/app/src/m{i}.ts", "version": 3, "size": 1000} for i in range(1000)]
    data = {"session": {"createdAt": 1, "lastAccessedAt": 2}, "render": None, "files": files}
    request = httpx.Request("GET", "http://stage.invalid/status")
    response = httpx.Response(200, json={"success": True, "data": data}, request=request)
    call = Call("GET", "/status", parse=SessionStatus.from_json)
    return median_ms([timed(lambda: result(call, response)) for _ in range(RUNS * 10)])


def main() -> None:
    require_postgres()
    manage("migrate", "--noinput")
    key = api_key("bench-sdk")
    with serve() as base, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "STAGE_URL": base, "STAGE_API_KEY": key, "STAGE_CONFIG": f"{tmp}/config.json"}
        client = create_client(gateway_url=base, api_key=key)
        session = client.stage.sessions.create(name="bench").id
        client.stage.sessions.push_files(session, {f"/app/f{i}.ts": "export {};\n" for i in range(20)})
        raw = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"})
        status_path = f"/api/v1/stage/sessions/{session}/status"

        for _ in range(20):  # warm both connections and the server's workers
            raw.get(status_path)
            client.stage.sessions.status(session)
        raw_runs, sdk_runs = [], []
        for _ in range(RUNS):  # interleaved, so load on the machine hits both alike
            raw_runs.append(timed(lambda: [raw.get(status_path).json() for _ in range(CALLS)]) / CALLS)
            sdk_runs.append(timed(lambda: [client.stage.sessions.status(session) for _ in range(CALLS)]) / CALLS)
        raw_ms, sdk_ms = median_ms(raw_runs), median_ms(sdk_runs)
        report("status of a 20-file session, raw httpx (per call)", raw_ms, "ms")
        report("status of a 20-file session, SDK (per call)", sdk_ms, "ms")
        report("SDK overhead per call (SDK - raw)", sdk_ms - raw_ms, "ms")
        report("SDK parse of a 1,000-file status into dataclasses", parse_ms(), "ms")

        def stage(*args: str) -> None:
            subprocess.run([STAGE, *args], env=env, check=True, capture_output=True)

        report(
            "`stage --version` (process start and imports)",
            median_ms([timed(lambda: stage("--version")) for _ in range(RUNS)]),
            "ms",
        )
        report(
            "`stage status -s <id> --json` (process, one request)",
            median_ms([timed(lambda: stage("status", "-s", session, "--json")) for _ in range(RUNS)]),
            "ms",
        )

        src = Path(tmp) / "src"
        src.mkdir()
        for i in range(PUSH_FILES):
            (src / f"module_{i:04d}.ts").write_text(f"export const n{i} = {i};\n" + "// pad\n" * 20)
        report(
            f"`stage push` of {PUSH_FILES:,} files, 4 batches, no render",
            median_ms(
                [
                    timed(lambda: stage("push", str(src), "/app", "-s", session, "--no-render", "-q"))
                    for _ in range(RUNS)
                ]
            ),
            "ms",
        )
        report(
            f"`stage push` of {PUSH_FILES:,} files, one batch, no render",
            median_ms(
                [
                    timed(
                        lambda: stage(
                            "push", str(src), "/app", "-s", session, "--no-render", "-q", "--batch-size", "5000"
                        )
                    )
                    for _ in range(RUNS)
                ]
            ),
            "ms",
        )
        raw.close()
        client.close()


if __name__ == "__main__":
    main()
