"""The host runtime under the production profile (`make serve`): every web worker reaches one sandbox per app, a
crashed runtime takes its sandboxes with it and the next request starts it again."""

import contextlib
import os
import signal
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from bench.harness import serve
from published_api.runtime_client import HostRuntimeClient
from tests.support.publishing import publish
from tests.support.worker import worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TAGGED = 'export default { fetch: () => Response.json({ app: "%s", pid: Deno.pid }) };'


@pytest.fixture
def host(transactional_db, tmp_path, settings):
    with contextlib.ExitStack() as stack:
        runtime_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="sbh-", dir="/tmp"))
        settings.STAGE_BACKEND_RUNTIME_DIR = runtime_dir  # this test's client asks the same runtime
        env = {**worker_environment(), "STAGE_BACKEND_RUNTIME_DIR": runtime_dir, "STAGE_RUNTIME": "host"}
        yield stack.enter_context(serve(workers=3, extra_env=env, log=tmp_path / "web.log"))
        with contextlib.suppress(Exception):
            os.kill(HostRuntimeClient().ask({"op": "stats"}, timeout=2)["pid"], signal.SIGTERM)


def stats() -> dict:
    return HostRuntimeClient().ask({"op": "stats"})


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_every_web_worker_reaches_the_one_sandbox_of_each_app(host, user):
    apps = [publish(user, TAGGED % index, name=f"h{index}") for index in range(6)]
    with httpx.Client(timeout=30) as client:
        for _ in range(6):  # each app called many times over fresh connections: every worker takes some
            for index, app in enumerate(apps):
                answer = client.get(f"{host}/stage/{app.sid}/api/", headers={"Connection": "close"}).json()
                assert answer["app"] == str(index)
    running = stats()["processes"]
    assert sorted(process["app"] for process in running) == sorted(app.sid for app in apps)


def test_a_killed_runtime_takes_its_sandboxes_and_the_next_request_starts_it_again(host, user):
    app = publish(user, TAGGED % "x")
    url = f"{host}/stage/{app.sid}/api/"
    assert httpx.get(url, timeout=30).json()["app"] == "x"
    before = stats()
    sandboxes = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _in_runtime(int(pid), before["pid"])]
    assert sandboxes

    os.kill(before["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in sandboxes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in sandboxes)  # none outlives it

    assert httpx.get(url, timeout=30).json()["app"] == "x"  # the next request starts a runtime and a sandbox
    after = stats()
    assert after["pid"] != before["pid"] and [p["app"] for p in after["processes"]] == [app.sid]


def test_a_stopped_runtime_removes_its_sandboxes_cgroups_and_directories(host, user, settings):
    from published_api.sandbox.probe import sandbox_support

    app = publish(user, TAGGED % "y")
    assert httpx.get(f"{host}/stage/{app.sid}/api/", timeout=30).json()["app"] == "y"
    runtime_pid = stats()["pid"]
    run_dirs = list(Path(settings.STAGE_BACKEND_RUNTIME_DIR).glob(f"p{runtime_pid}-*"))
    cgroups = list(sandbox_support().cgroups.parents["pids"].glob(f"{runtime_pid}-*"))
    assert run_dirs and cgroups

    os.kill(runtime_pid, signal.SIGTERM)

    deadline = time.monotonic() + 10
    while alive(runtime_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(runtime_pid)
    left = [path for path in run_dirs if path.exists()] + [group for group in cgroups if group.exists()]
    assert not left


def _in_runtime(pid: int, runtime_pid: int) -> bool:
    """Whether a process descends from the runtime (its sandboxes' shells, bubblewrap and Deno)."""
    with contextlib.suppress(OSError, ValueError):
        while pid > 1:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if pid == runtime_pid:
                return True
    return False


SLOW = """export default { fetch: async (r: Request) => {
  if (new URL(r.url).pathname === "/slow") await new Promise((done) => setTimeout(done, 3000));
  return new Response("%s");
} };"""


@pytest.fixture
def capped(transactional_db, tmp_path, settings):
    with contextlib.ExitStack() as stack:
        runtime_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="sbc-", dir="/tmp"))
        settings.STAGE_BACKEND_RUNTIME_DIR = runtime_dir
        env = {
            **worker_environment(),
            "STAGE_BACKEND_RUNTIME_DIR": runtime_dir,
            "STAGE_RUNTIME": "host",
            "STAGE_RUNTIME_MAX_PROCESSES": "2",
            "STAGE_RUNTIME_WARM": "0",
        }
        yield stack.enter_context(serve(workers=2, extra_env=env, log=tmp_path / "web.log"))
        with contextlib.suppress(Exception):
            os.kill(HostRuntimeClient().ask({"op": "stats"}, timeout=2)["pid"], signal.SIGTERM)


def test_the_runtime_retires_the_idle_sandbox_not_the_one_a_worker_is_using(capped, user):
    import threading

    busy, idle, new = (publish(user, SLOW % name, name=name) for name in ("busy", "idle", "new"))
    for app in (busy, idle):
        assert httpx.get(f"{capped}/stage/{app.sid}/api/", timeout=30).text == app.name
    slow = {}
    thread = threading.Thread(
        target=lambda: slow.update(r=httpx.get(f"{capped}/stage/{busy.sid}/api/slow", timeout=30))
    )
    thread.start()
    time.sleep(1)  # in flight; busy is now the least recently begun, but it serves a request

    assert httpx.get(f"{capped}/stage/{new.sid}/api/", timeout=30).text == "new"

    thread.join(30)
    assert slow["r"].status_code == 200 and slow["r"].text == "busy"
    assert sorted(p["app"] for p in stats()["processes"]) == sorted([busy.sid, new.sid])
