"""The kernel's layer of a backend's sandbox, tested at that layer: what a process inside can see and do, whatever
Deno's own permissions would allow, and the limits the kernel holds it to, with a neighbour answering throughout."""

import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from published_api.backend_process import runtime_root
from published_api.sandbox import probe as sandbox_probe
from published_api.sandbox.launch import launch, prepare_run_dir, spares
from tests.published_api.test_sandbox import _in_background
from tests.support.publishing import HEALTH, publish

pytestmark = pytest.mark.django_db(transaction=True)
PROBE_SOURCE = Path(__file__).parent / "probe" / "probe.c"
CHECKOUT = str(django_settings.BASE_DIR)


@pytest.fixture(scope="module")
def probe_binary(django_db_blocker):
    """A static C program that reports what the sandbox lets it see and do (gcc is on every CI machine)."""
    directory = runtime_root() / "probe"  # a place the sandbox user can reach, as it reaches bundles
    directory.mkdir(mode=0o755, exist_ok=True)
    binary = directory / "probe"
    subprocess.run(["gcc", "-static", "-O1", "-o", str(binary), str(PROBE_SOURCE)], check=True, timeout=120)
    yield str(binary)
    shutil.rmtree(directory, ignore_errors=True)


def run_probe(probe_binary: str) -> dict:
    run_dir = runtime_root() / f"p{os.getpid()}-probe"
    shutil.rmtree(run_dir, ignore_errors=True)
    prepare_run_dir(run_dir)
    try:
        launched = launch(program=probe_binary, args=[CHECKOUT], inputs={}, run_dir=run_dir, name="probe")
        output, _ = launched.proc.communicate(timeout=30)
        assert launched.proc.returncode == 0, output
    finally:
        if "launched" in locals() and launched.cgroup is not None:
            launched.cgroup.remove()
        shutil.rmtree(run_dir, ignore_errors=True)
    return json.loads(output.decode().strip().splitlines()[-1])


@pytest.fixture
def neighbour(client, user):
    app = publish(user, HEALTH, name="neighbour")

    def answers():
        response = client.get(f"/stage/{app.sid}/api/health")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})

    answers()
    return answers


def test_inside_the_sandbox_there_is_only_the_program_and_its_sockets(probe_binary):
    seen = run_probe(probe_binary)
    # its own PID namespace: pid 1 is the sandbox's init, never the host's
    assert seen["pid"] == 2 and "bwrap" in seen["proc1"] and "firecracker" not in seen["proc1"]
    assert sorted(p for p in seen["procs"] if p.isdigit()) == ["1", "2"]
    # no checkout, no host /tmp, no database socket, no /etc; only its own run directory, empty here
    assert seen["checkout"] == "ENOENT" and seen["pgsocket"] == "ENOENT" and seen["etc_passwd"] == "ENOENT"
    assert set(seen["root"]) <= {"usr", "lib", "lib64", "proc", "dev", "tmp", "run", "app"}, seen["root"]
    assert seen["tmp"] == [] and seen["run"] == []
    # no network at all, and its own host name
    assert seen["connect_postgres"] in ("ECONNREFUSED", "ENETUNREACH"), "the namespace's own loopback, empty"
    assert seen["hostname"] == "sandbox"


def test_syscalls_that_reach_past_the_namespaces_are_refused(probe_binary):
    seen = run_probe(probe_binary)
    for call in ("unshare_user", "ptrace", "mount", "keyctl", "bpf"):
        assert seen[call] == "EPERM", (call, seen[call])
    assert seen["write_tmp"] == "ok"  # an ordinary syscall on its own tmpfs still works


def test_no_backend_process_runs_as_root_as_the_host_sees_it(client, user, backend_runtime):
    app = publish(user, HEALTH)
    assert client.get(f"/stage/{app.sid}/api/health").status_code == 200
    (process,) = backend_runtime.processes()
    pids = process.cgroup.pids()
    assert pids, "the sandbox's processes are in its cgroup"
    for pid in pids:
        uids = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Uid:"))
        assert uids.split()[1:] == [str((os.getuid() and os.getuid()) or 65534)] * 4, (pid, uids)
    (deno,) = [pid for pid in pids if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"/usr/bin/deno\0")]
    assert CHECKOUT.encode() not in Path(f"/proc/{deno}/cmdline").read_bytes()


def _memory_limit(cgroup) -> int:
    name = "memory.max" if cgroup.version == 2 else "memory.limit_in_bytes"
    return int((cgroup.dirs["memory"] / name).read_text())


def test_a_spare_waits_unprivileged_in_its_cgroup_and_never_serves_other_limits(
    client, user, backend_runtime, settings
):
    # given a backend started: a spare sandbox is made ready for the next start
    first = publish(user, HEALTH, name="first")
    assert client.get(f"/stage/{first.sid}/api/health").status_code == 200
    spare = spares.waiting()
    assert spare is not None and spare.proc.poll() is None
    # it waits inside its cgroup, with the sandbox's limits, as the sandbox user, and runs no program yet
    assert _memory_limit(spare.cgroup) == settings.STAGE_BACKEND_MEMORY_MB << 20
    waiting = spare.cgroup.pids()
    assert waiting
    for pid in waiting:
        assert Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0] != "0"
        assert not Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"/usr/bin/deno")
    # when the limits change, the next backend gets a sandbox made with the new ones, and the old spare is gone
    settings.STAGE_BACKEND_MEMORY_MB = 200
    second = publish(user, HEALTH, name="second")
    assert client.get(f"/stage/{second.sid}/api/health").status_code == 200
    process = next(p for p in backend_runtime.processes() if p.caller.app_sid == second.sid)
    assert _memory_limit(process.cgroup) == 200 << 20
    assert not any(path.exists() for path in spare.cgroup.dirs.values())
    assert spare.proc.poll() is not None


BOMBS = {
    "array-buffer": "new Uint8Array(1 << 30).fill(7).length",
    "typed-arrays": "(() => { const all = []; for (;;) all.push(new Uint8Array(64 << 20).fill(1)); })()",
    "wasm-memory": (
        "(() => { const m = new WebAssembly.Memory({ initial: 1, maximum: 16384 });"
        " for (let i = 0; i < 16383; i++) { m.grow(1); new Uint8Array(m.buffer).fill(1, i << 16); } })()"
    ),
    "worker": (
        "await new Promise((resolve) => { const url = URL.createObjectURL(new Blob(["
        "'const all = []; for (;;) all.push(new Uint8Array(32 << 20).fill(1));'], { type: 'text/javascript' }));"
        " const w = new Worker(url, { type: 'module' }); w.onerror = resolve; setTimeout(resolve, 20000); })"
    ),
}


@pytest.mark.parametrize("bomb", BOMBS, ids=BOMBS)
def test_memory_beyond_the_cap_ends_the_process_as_crashed_wherever_it_is_held(
    client, user, neighbour, backend_runtime, bomb
):
    # given an app that holds memory outside the JavaScript heap (the V8 flag caps only the heap)
    source = f"""export default {{ fetch: async (r: Request) => {{
  if (new URL(r.url).pathname === "/ok") return new Response("fine");
  return new Response(String({BOMBS[bomb]}));
}} }};"""
    app = publish(user, source, name="bomb")
    assert client.get(f"/stage/{app.sid}/api/ok").content == b"fine"
    process = next(p for p in backend_runtime.processes() if p.caller.app_sid == app.sid)
    # when it goes for a GiB
    thread, result = _in_background(lambda: client.get(f"/stage/{app.sid}/api/bomb"))
    neighbour()  # during
    thread.join(30)
    # then the kernel stopped it at the cap: 500 BACKEND_CRASHED, and it never held more than the cap
    response = result["response"]
    assert response.status_code == 500, response.content
    error = response.json()["error"]
    assert error["code"] == "BACKEND_CRASHED" and "out of memory" in error["message"], error
    cap = django_settings.STAGE_BACKEND_MEMORY_MB << 20
    assert process.cgroup.memory_peak_bytes() <= cap + (4 << 20)
    neighbour()  # after
    assert client.get(f"/stage/{app.sid}/api/ok").content == b"fine"  # a fresh process on the next request


SPIN_AFTER_ANSWER = """export default { fetch: () => {
  const url = URL.createObjectURL(new Blob(["for (;;) {}"], { type: "text/javascript" }));
  new Worker(url, { type: "module" });
  return new Response("answered");
} };"""
GENTLE_TIMER = """let ticks = 0;
setInterval(() => { const end = Date.now() + 5; while (Date.now() < end) {} ticks++; }, 500);
export default { fetch: () => new Response(String(ticks)) };"""


def test_a_worker_spinning_after_its_answer_is_killed_within_the_cpu_budget(client, user, neighbour, backend_runtime):
    app = publish(user, SPIN_AFTER_ANSWER, name="spinner")
    gentle = publish(user, GENTLE_TIMER, name="gentle")
    assert client.get(f"/stage/{gentle.sid}/api/").status_code == 200
    answered = time.monotonic()
    assert client.get(f"/stage/{app.sid}/api/").content == b"answered"
    spinner = next(p for p in backend_runtime.processes() if p.caller.app_sid == app.sid)
    # the budget is 1 s of CPU with no request open; the monitor looks twice a second
    deadline = answered + 6
    while spinner.alive() and time.monotonic() < deadline:
        neighbour()
        time.sleep(0.2)
    assert not spinner.alive(), "a process burning CPU with no request in flight is killed"
    assert time.monotonic() - answered < 4.0
    assert spinner not in backend_runtime.processes()
    # a timer doing a little work now and then is left alone
    gentle_process = next(p for p in backend_runtime.processes() if p.caller.app_sid == gentle.sid)
    assert gentle_process.alive() and int(client.get(f"/stage/{gentle.sid}/api/").content) >= 2
    neighbour()


THREADS = """export default { fetch: async (r: Request) => {
  if (new URL(r.url).pathname === "/health") return new Response("ok");
  let started = 0, failed = "";
  const url = URL.createObjectURL(new Blob(["setInterval(() => {}, 1000)"], { type: "text/javascript" }));
  try { for (let i = 0; i < 100; i++) { new Worker(url, { type: "module" }); started++; } }
  catch (e) { failed = String(e); }
  await new Promise((r) => setTimeout(r, 1000));
  return new Response(`${started} ${failed}`);
} };"""


def test_threads_are_capped_by_the_kernel(client, user, neighbour, backend_runtime, settings):
    # given a cap low enough to reach before memory runs out (every Worker is a V8 isolate of its own)
    settings.STAGE_BACKEND_MAX_THREADS = 32
    settings.STAGE_BACKEND_MEMORY_MB = 1024
    app = publish(user, THREADS, name="threads")
    assert client.get(f"/stage/{app.sid}/api/health").status_code == 200  # started: 0 Workers yet
    process = next(p for p in backend_runtime.processes() if p.caller.app_sid == app.sid)
    counter = process.cgroup.dirs["pids"] / "pids.current"
    # when it starts a hundred Workers, each a thread
    thread, result = _in_background(lambda: client.get(f"/stage/{app.sid}/api/workers"))
    most = 0
    while thread.is_alive():
        with contextlib.suppress(OSError, ValueError):
            most = max(most, int(counter.read_text()))
        time.sleep(0.02)
    # then it never held more than the cap, and what failed was its own Workers (or the process), not the host
    assert 0 < most <= 32
    response = result["response"]
    assert response.status_code in (200, 500), response.content
    if response.status_code == 200:
        started = int(response.content.split()[0])
        assert started < 100 and b"Error" in response.content, response.content
    neighbour()


def test_a_host_without_the_sandbox_says_what_is_missing_and_refuses_when_required(settings):
    sandbox_probe.sandbox_support.cache_clear()
    try:
        settings.STAGE_SANDBOX_USER = "no-such-stage-user"
        settings.STAGE_REQUIRE_SANDBOX = False
        support = sandbox_probe.sandbox_support()
        assert any("no-such-stage-user" in why for why in support.missing)
        sandbox_probe.sandbox_support.cache_clear()
        settings.STAGE_REQUIRE_SANDBOX = True
        with pytest.raises(ImproperlyConfigured, match="no-such-stage-user"):
            sandbox_probe.sandbox_support()
    finally:
        sandbox_probe.sandbox_support.cache_clear()


def test_the_runtime_directory_is_this_instances_and_loses_what_dead_processes_left(settings, tmp_path):
    import published_api.runtime as runtime

    assert Path(django_settings.STAGE_BACKEND_RUNTIME_DIR).name.startswith(f"stage-{os.geteuid()}-")
    settings.STAGE_BACKEND_RUNTIME_DIR = str(tmp_path / "rt")
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / "rt" / f"p{dead.pid}-abcd").mkdir(parents=True)
    (tmp_path / "rt" / f"p{os.getpid()}-live").mkdir()
    runtime._swept = None
    root = runtime_root()
    assert sorted(p.name for p in root.iterdir()) == [f"p{os.getpid()}-live"]
    assert oct(root.stat().st_mode & 0o777) == "0o711"


def test_a_backend_outlives_the_thread_that_started_it(client, user, backend_runtime):
    # given a backend started from a thread that then ends, as a request's thread does on a server
    app = publish(user, HEALTH)
    thread, result = _in_background(lambda: client.get(f"/stage/{app.sid}/api/health"))
    thread.join(30)
    assert result["response"].status_code == 200
    (process,) = backend_runtime.processes()
    # then it is still there (bubblewrap's --die-with-parent follows the forking thread, not the process)
    time.sleep(0.5)
    assert process.alive()
    assert client.get(f"/stage/{app.sid}/api/health").status_code == 200
    assert backend_runtime.processes() == [process]
