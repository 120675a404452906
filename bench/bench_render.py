"""Issue 3's figures: build time of a 10-module React app, trigger -> ready through a warm worker, re-render.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_render REDIS_URL=redis://127.0.0.1:6379/3 \
    .venv/bin/python bench/bench_render.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import django_on_postgres_and_redis, report

RUNS = int(os.environ.get("BENCH_RUNS", "9"))


def app_files(tag: str) -> list[tuple[str, str]]:
    """App.tsx importing 10 local modules and a CSS module, all on react; `tag` makes every run's files new."""
    imports = "".join(f"import M{i} from './modules/M{i}';\n" for i in range(10))
    body = "".join(f"<M{i}/>" for i in range(10))
    files = [
        (
            "/app/App.tsx",
            f"{imports}import styles from './App.module.css';\n"
            f"export default function App() {{ return <main className={{styles.app}}>{body}</main>; }}\n",
        ),
        ("/app/App.module.css", f".app {{ display: grid; gap: 8px; }} /* {tag} */\n.title {{ font-weight: 600; }}\n"),
    ]
    for i in range(10):
        files.append(
            (
                f"/app/modules/M{i}.tsx",
                "import { useState } from 'react';\n"
                f"export default function M{i}() {{\n"
                f"  const [count, setCount] = useState({i});\n"
                f"  return <button onClick={{() => setCount(count + 1)}}>module {i} ({tag}): {{count}}</button>;\n}}\n",
            )
        )
    return files


def wait_ready(render, timeout: float = 30.0) -> None:
    from stage.models import Render

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Render.objects.values_list("status", flat=True).get(pk=render.pk)
        if status == Render.Status.READY:
            return
        if status == Render.Status.FAILED:
            raise RuntimeError(Render.objects.get(pk=render.pk).error)
        time.sleep(0.005)
    raise RuntimeError("render not ready in time")


def main() -> None:
    django_on_postgres_and_redis("the trigger -> ready figure needs a real worker")
    from django.contrib.auth import get_user_model

    from config.celery import app as celery_app
    from stage.models import Render
    from stage.renders import esbuild
    from stage.renders.services import render_trigger
    from stage.services.files import files_push
    from stage.services.sessions import session_create
    from tests.support.worker import WorkerProcess

    owner, _ = get_user_model().objects.get_or_create(username="bench-render")
    session = session_create(owner=owner, name="bench render")
    stamp = str(time.time_ns())

    # 1. Build in this process (the task body run eagerly): task start to stored artifact, as recorded.
    celery_app.conf.task_always_eager = True
    build_ms = []
    for run in range(RUNS + 1):
        files_push(session=session, files=app_files(f"{stamp}-build-{run}"))
        render = render_trigger(session=session)
        render.refresh_from_db()
        assert render.status == Render.Status.READY, render.error
        build_ms.append(render.build_ms)
    cold, warm = build_ms[0], build_ms[1:]

    # 3. Re-render of unchanged files: the artifact is found by content hash and esbuild never runs.
    runs_before = esbuild.server.calls
    reuse_ms = []
    for _ in range(RUNS):
        render = render_trigger(session=session)
        render.refresh_from_db()
        reuse_ms.append(render.build_ms)
    esbuild_runs = esbuild.server.calls - runs_before

    # 2. Trigger -> ready through a real Celery worker on Redis, warmed by one render first.
    celery_app.conf.task_always_eager = False
    with tempfile.TemporaryDirectory() as tmp:
        worker = WorkerProcess(Path(tmp) / "worker.log")
        worker.start()
        try:
            ready_ms = []
            for run in range(RUNS + 1):
                files_push(session=session, files=app_files(f"{stamp}-worker-{run}"))
                start = time.perf_counter()
                wait_ready(render_trigger(session=session))
                ready_ms.append((time.perf_counter() - start) * 1000)
        finally:
            worker.stop()
    esbuild.server.stop()

    print(f"runs: {RUNS}, medians (first run of each kind reported apart as cold)")
    report("build, 10 modules + CSS module + react, cold Node", cold, "ms")
    report(
        "build, 10 modules + CSS module + react (task start -> artifact)",
        statistics.median(warm),
        "ms",
        "target <= 500 ms",
    )
    report("trigger -> ready, warm Celery worker on Redis", statistics.median(ready_ms[1:]), "ms", "target <= 1500 ms")
    report("re-render of unchanged files (task start -> ready)", statistics.median(reuse_ms), "ms")
    report(f"esbuild runs during {RUNS} re-renders of unchanged files", esbuild_runs, "runs", "target 0")


if __name__ == "__main__":
    main()
