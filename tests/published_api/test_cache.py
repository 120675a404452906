"""Compiled backends are cached per (app sid, session id, lastDeployedAt, updatedAt): a deploy, promote or
rollback made anywhere is served by every web process on its next request. Two real gunicorn processes."""

import shutil
import subprocess
import sys
import tempfile
import time

import httpx
import pytest
from django.core.cache import cache

from bench.harness import free_port
from published_api.compiler import _cache_key
from published_api.tasks import compile_backend
from stage.services.apps import channel_promote, channel_rollback
from stage.services.keys import apikey_create
from tests.published_api.apps import deploy, publish
from tests.worker import ROOT, worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


class WebProcess:
    def __init__(self, runtime_dir, log_path):
        self.port = free_port()
        env = {**worker_environment(), "STAGE_BACKEND_RUNTIME_DIR": str(runtime_dir)}
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/api/health", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"web process did not start: {log_path.read_text()}")

    def get(self, path: str, **headers) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", headers=headers, timeout=15)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)
        self.log.close()


@pytest.fixture
def two_web_processes(transactional_db, tmp_path):
    # Unix socket paths are short (108 bytes), so the runtime directories are too.
    runtime_dirs = [tempfile.mkdtemp(prefix="sb-", dir="/tmp") for _ in (1, 2)]
    processes = [WebProcess(runtime_dirs[i], tmp_path / f"web{i}.log") for i in (0, 1)]
    yield processes
    for process in processes:
        process.stop()
    for path in runtime_dirs:
        shutil.rmtree(path, ignore_errors=True)


def test_deploy_promote_and_rollback_reach_every_web_process(two_web_processes, user):
    # given an app served by both processes
    first, second = two_web_processes
    app = publish(user, "export default { fetch: () => new Response('v1') };")
    url = f"/stage/{app.sid}/api/"
    assert [first.get(url).text, second.get(url).text] == ["v1", "v1"]
    # when a deploy lands on preview only, production is unchanged and preview is new, everywhere
    deploy(app, "export default { fetch: () => new Response('v2') };", promote=False)
    assert [first.get(url).text, second.get(url).text] == ["v1", "v1"]
    preview = {"X-Stage-Channel": "preview", "Authorization": f"Bearer {apikey_create(user=user)[1]}"}
    assert [first.get(url, **preview).text, second.get(url, **preview).text] == ["v2", "v2"]
    # when promoted
    channel_promote(app=app, actor=user)
    assert [first.get(url).text, second.get(url).text] == ["v2", "v2"]
    # when rolled back
    channel_rollback(app=app, actor=user)
    assert [first.get(url).text, second.get(url).text] == ["v1", "v1"]


@pytest.mark.worker
def test_the_deploy_time_compile_on_a_worker_fills_the_shared_cache(celery_worker_process, user):
    # given a deployed version nobody has requested yet
    app = publish(user, "export default { fetch: () => new Response('warm') };")
    version = deploy(app, "export default { fetch: () => new Response('compiled on the worker') };")
    cache.delete(_cache_key(version.sid))
    # when the deploy hands the compile to a real worker
    compile_backend.delay(version.pk)
    # then the bundle lands in the shared cache for every web process
    deadline = time.monotonic() + 30
    while cache.get(_cache_key(version.sid)) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "compiled on the worker" in cache.get(_cache_key(version.sid))
