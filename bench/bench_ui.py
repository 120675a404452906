"""Issue 16's build figures: a 20-module app on ten shadcn/ui modules, recharts and Tailwind. Built by the warm
Node driver (what a render task runs) against the shared libraries, the size of the frame's own script for it,
and trigger -> ready through a warm Celery worker; the shared libraries themselves, built once per builder.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_ui REDIS_URL=redis://127.0.0.1:6379/5 \
    .venv/bin/python bench/bench_ui.py
"""

import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_render import wait_ready
from bench.harness import django_on_postgres_and_redis, report

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
MODULES = ["accordion", "badge", "button", "card", "checkbox", "dialog", "input", "select", "table", "tabs"]


def app(tag: str) -> dict[str, str]:
    """App.tsx and 19 modules: a chart, a table and a form among them, each on one shadcn module or more."""
    files = {}
    for i in range(19):
        files[f"/app/parts/Part{i}.tsx"] = (
            'import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";\n'
            'import { Badge } from "@/components/ui/badge";\n'
            f"export default function Part{i}() {{\n"
            f'  return <Card className="p-{i % 8} md:p-{(i + 1) % 8}"><CardHeader><CardTitle>Part {i} {tag}</CardTitle>'
            f'</CardHeader><CardContent><Badge variant="secondary">#{i}</Badge></CardContent></Card>;\n}}\n'
        )
    imports = "".join(f"import Part{i} from './parts/Part{i}';\n" for i in range(19))
    shadcn = "".join(f'import * as M{i} from "@/components/ui/{name}";\n' for i, name in enumerate(MODULES))
    files["/app/App.tsx"] = (
        f"{imports}{shadcn}"
        'import { LineChart, Line, XAxis, YAxis } from "recharts";\n'
        "const data = [{ x: 1, y: 2 }, { x: 2, y: 3 }];\n"
        "export default function App() {\n"
        f"  const used = [{', '.join(f'M{i}' for i in range(len(MODULES)))}];\n"
        '  return <main className="grid gap-4 bg-background text-foreground">'
        '<LineChart width={300} height={200} data={data}><XAxis dataKey="x"/><YAxis/><Line dataKey="y"/></LineChart>'
        + "".join(f"<Part{i}/>" for i in range(19))
        + "<p>{used.length}</p></main>;\n}\n"
    )
    return files


def main() -> None:
    django_on_postgres_and_redis("the trigger -> ready figure needs a real worker")
    from django.contrib.auth import get_user_model

    from stage.models import SharedLibrary
    from stage.renders import shared
    from stage.renders.esbuild import build_bundle
    from stage.renders.services import render_trigger
    from stage.services.files import files_push
    from stage.services.sessions import session_create
    from tests.support.worker import WorkerProcess

    SharedLibrary.objects.filter(fingerprint=shared.builder_fingerprint()).delete()
    start = time.perf_counter()
    library = shared.shared_library()
    shared_ms = (time.perf_counter() - start) * 1000
    build_bundle(entry="/app/App.tsx", files=app("warm-up"), shared=library.exports)  # Node, esbuild, Tailwind
    times, sizes = [], []
    for run in range(RUNS):
        files = app(f"run-{run}")
        start = time.perf_counter()
        output = build_bundle(entry="/app/App.tsx", files=files, shared=library.exports)
        times.append((time.perf_counter() - start) * 1000)
        sizes.append((len(output.js.encode()), len(output.css.encode())))
        time.sleep(0.2)  # as between renders: the driver makes its next Tailwind compiler meanwhile
    shared.esbuild.server.stop()

    owner, _ = get_user_model().objects.get_or_create(username="bench-ui")
    session, stamp = session_create(owner=owner, name="bench ui"), time.time_ns()
    with tempfile.TemporaryDirectory() as tmp:
        worker = WorkerProcess(Path(tmp) / "worker.log")
        worker.start()
        try:
            ready_ms = []
            for run in range(RUNS + 1):  # the first warms the worker's driver
                files_push(session=session, files=list(app(f"{stamp}-{run}").items()))
                start = time.perf_counter()
                wait_ready(render_trigger(session=session))
                ready_ms.append((time.perf_counter() - start) * 1000)
        finally:
            worker.stop()

    print(f"runs: {RUNS}, medians; 20 modules, {len(MODULES)} shadcn/ui modules, recharts, Tailwind")
    report("build, warm driver (esbuild + Tailwind)", statistics.median(times), "ms", "<= 400 ms")
    report("trigger -> ready, warm Celery worker on Redis", statistics.median(ready_ms[1:]), "ms", "<= 800 ms")
    report("frame script (minified JS)", statistics.median(js for js, _ in sizes) / 1024, "KiB", "<= 200 KB")
    report("stylesheet (Tailwind + app CSS)", statistics.median(css for _, css in sizes) / 1024, "KiB")
    script = library.js.encode()
    report("shared libraries, built once per builder version", shared_ms, "ms")
    report("shared libraries' script (fetched once, kept by the browser)", len(script) / 1024, "KiB")
    report("  the same, gzipped", len(gzip.compress(script)) / 1024, "KiB")


if __name__ == "__main__":
    main()
