"""Issue 4's figures: deploy of a 1,000-file session, pointer moves, versions listing, and version_files.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_apps .venv/bin/python bench/bench_apps.py
"""

import os
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import api_key, manage, median_ms, report, require_postgres, serve, timed

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
FILES = 1000
VERSIONS = 20


def files(tag: str) -> dict[str, str]:
    body = "x" * 1000
    tree = {f"/app/src/module_{i:04d}.ts": f"// {tag}\n{body}" for i in range(FILES - 2)}
    tree["/app/src/app.ts"] = 'import { Hono } from "hono";\nexport default new Hono();\n'
    tree["/app/compute/tasks.ts"] = "export const list = 1;\n"
    return tree


def main() -> None:
    require_postgres()
    manage("migrate", "--noinput")
    headers = {"Authorization": f"Bearer {api_key('bench-apps')}"}
    with serve() as base, httpx.Client(base_url=f"{base}/api/v1/stage", headers=headers, timeout=120) as client:
        session = client.post("/sessions").json()["data"]["id"]
        client.post(f"/sessions/{session}/push", json={"files": files("v1")}).raise_for_status()
        published = client.post("/apps", json={"sessionId": session, "name": "bench"})
        published.raise_for_status()
        sid = published.json()["data"]["sid"]

        def deploy() -> None:
            client.post(f"/apps/{sid}/deploy", json={}).raise_for_status()

        deploy_samples = []
        for version in range(2, VERSIONS + 1):
            client.post(f"/sessions/{session}/push", json={"files": {"/app/src/module_0000.ts": f"v{version}"}})
            deploy_samples.append(timed(deploy))

        def promote() -> None:
            client.post(f"/apps/{sid}/channels/production/promote", json={}).raise_for_status()

        def rollback() -> None:
            client.post(f"/apps/{sid}/channels/production/rollback").raise_for_status()

        move_samples = []
        for _ in range(max(RUNS, 10)):
            move_samples += [timed(promote), timed(rollback)]
        channels = [timed(lambda: client.get(f"/apps/{sid}/channels").raise_for_status()) for _ in range(20)]
        versions = [timed(lambda: client.get(f"/apps/{sid}/versions").raise_for_status()) for _ in range(RUNS)]
        apps = [timed(lambda: client.get("/apps").raise_for_status()) for _ in range(20)]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from stage.selectors import app_get_public, channel_version, version_files

    app = app_get_public(sid=sid)
    in_process = [timed(lambda: version_files(version=channel_version(app=app))) for _ in range(max(RUNS, 10))]

    print(f"runs: {RUNS} (deploys: {VERSIONS - 1}), medians, {FILES} files of ~1 KB per version")
    report("deploy (new version of 1,000 files, preview moves)", median_ms(deploy_samples), "ms")
    report("promote or rollback (pointer move + history row)", median_ms(move_samples), "ms")
    report("GET /apps/:sid/channels", median_ms(channels), "ms")
    report("GET /apps (one app)", median_ms(apps), "ms")
    report(f"GET /apps/:sid/versions ({VERSIONS} versions x {FILES} files)", median_ms(versions), "ms")
    report("version_files(): channel lookup + 1,000 contents (in-process)", median_ms(in_process), "ms")


if __name__ == "__main__":
    main()
