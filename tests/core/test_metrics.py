"""/metrics as an operator scrapes it: Celery's queue and tasks summed over processes, and the backend runtime."""

import re
import time

import pytest
from celery import current_app

from tests.support.publishing import publish
from tests.support.worker import WorkerProcess


def sample(page: str, name: str, **labels) -> float | None:
    """The value of one series on a Prometheus text page (labels in any order), or None when it is absent."""
    for line in page.splitlines():
        match = re.match(rf"^{name}(?:{{(.*)}})? (\S+)$", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(match.group(2))
    return None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task always goes to the broker
def test_queue_depth_and_task_figures_are_read_across_processes(anon_api, tmp_path, monkeypatch):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    current_app.control.purge()
    for _ in range(3):
        current_app.send_task("stage.tasks.render_build", args=[0])
    waiting = anon_api.get("/metrics").content.decode()
    assert sample(waiting, "stage_celery_queue_depth", queue="celery") == 3

    worker = WorkerProcess(tmp_path / "worker.log", extra_env={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))  # /metrics now sums the worker's files
    worker.start()  # (it empties the queue first)
    try:
        for argument in (0, "not a render id"):  # one finds nothing to do, one fails
            current_app.send_task("stage.tasks.render_build", args=[argument])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page = anon_api.get("/metrics").content.decode()
            ran = sample(page, "stage_celery_task_duration_seconds_count", task="stage.tasks.render_build")
            if ran == 2:
                break
            time.sleep(0.2)
    finally:
        worker.stop()
    assert ran == 2, page
    assert sample(page, "stage_celery_queue_depth", queue="celery") == 0
    assert sample(page, "stage_celery_tasks_total", task="stage.tasks.render_build", outcome="failure") == 1
    assert sample(page, "stage_celery_tasks_total", task="stage.tasks.render_build", outcome="success") == 1


@pytest.mark.django_db
def test_the_backend_runtime_reports_starts_live_sandboxes_and_their_memory(anon_api, user):
    before = anon_api.get("/metrics").content.decode()
    app = publish(user)
    assert anon_api.get(f"/stage/{app.sid}/api/health").status_code == 200
    page = anon_api.get("/metrics").content.decode()
    assert sample(page, "stage_sandbox_starts_total") == (sample(before, "stage_sandbox_starts_total") or 0) + 1
    assert sample(page, "stage_sandbox_start_seconds_count") >= 1
    assert sample(page, "stage_sandboxes") >= 1
    assert sample(page, "stage_sandbox_memory_bytes") > 1 << 20  # a Deno process holds megabytes
