"""A development server stopped with SIGTERM takes its backends, their cgroups and their directories with it (its
own runtime, STAGE_RUNTIME=process; the host runtime's own stop: tests/published_api/test_host_runtime.py)."""

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.harness import ROOT, free_port
from published_api.sandbox.cgroups import pid_alive
from published_api.sandbox.probe import sandbox_support
from tests.support.publishing import HEALTH, publish
from tests.support.waiting import wait_for
from tests.support.worker import worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_sigterm_stops_the_backends_and_removes_their_cgroups_and_directories(user, tmp_path):
    app = publish(user, HEALTH)
    runtime = Path("/tmp") / f"sbt-{free_port()}"
    env = {**worker_environment(), "STAGE_BACKEND_RUNTIME_DIR": str(runtime), "STAGE_RUNTIME": "process"}
    port = free_port()
    log = open(tmp_path / "runserver.log", "wb")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: httpx.get(f"{base}/api/health", timeout=1).status_code == 200, ignore=(httpx.HTTPError,))
        assert httpx.get(f"{base}/stage/{app.sid}/api/health", timeout=30).json() == {"status": "ok"}
        run_dirs = list(runtime.glob(f"p{server.pid}-*"))  # the backend's, and any warm sandbox's
        assert run_dirs
        cgroups_of_server = sandbox_support().cgroups.parents["pids"].glob(f"{server.pid}-*")
        cgroups = list(cgroups_of_server)  # the backend's, and the spare made ready for the next start
        sandboxed = [int(pid) for group in cgroups for pid in (group / "cgroup.procs").read_text().split()]
        assert sandboxed, "the backend runs"
        # when the server is told to stop
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == -signal.SIGTERM  # it still ends as SIGTERM ends a process
        # then its backend, its cgroup and its directory are gone
        wait_for(lambda: not any(pid_alive(pid) for pid in sandboxed), timeout=5)
        assert not any(run_dir.exists() for run_dir in run_dirs)
        assert not list(runtime.glob(f"p{server.pid}-*"))
        assert not any(group.exists() for group in cgroups)
        assert not list(sandbox_support().cgroups.parents["pids"].glob(f"{server.pid}-*"))
    finally:
        if server.poll() is None:
            server.kill()
        log.close()
