"""One sandboxed Deno process for one app version (BackendProcess), and the runtime directory the sandboxes live in.

Each process runs its version's bundle in the kernel's sandbox (published_api/sandbox: namespaces, its own
cgroup, an unprivileged user, seccomp) with no Deno permissions beyond its own two Unix sockets (serve and
bridge). It is started cold for its app, or started ahead of need running the loader and given its app later
(`warm`, `assign`). A request past its deadline SIGKILLs it (a spinning isolate ignores SIGTERM); retiring it
drains it first (it finishes its requests). Who keeps these processes is runtime.py's.
"""

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from django.conf import settings

from published_api.backend_client import exchange
from published_api.bridge import BridgeServer, Caller
from published_api.errors import BackendCrashed
from published_api.forwarding import DRAIN_HEADER, LOAD_HEADER
from published_api.metrics import SANDBOX_START_SECONDS, SANDBOX_STARTS
from published_api.sandbox.bwrap import RUN_DIR
from published_api.sandbox.cgroups import pid_alive
from published_api.sandbox.launch import launch, prepare_run_dir, seen_as, share_socket
from published_api.sandbox.probe import sandbox_support
from published_api.sandbox_requests import SandboxGone, SandboxRequests

logger = logging.getLogger(__name__)
START_TIMEOUT_SECONDS = 10.0
LOADER = Path(__file__).resolve().parent / "js" / "loader.js"

_swept: Path | None = None  # the root this process has prepared


def runtime_root() -> Path:
    """This instance's runtime directory; the first call in a process removes what dead processes left there."""
    global _swept
    root = Path(settings.STAGE_BACKEND_RUNTIME_DIR)
    if _swept != root:
        _swept = root
        root.mkdir(mode=0o711, parents=True, exist_ok=True)
        root.chmod(0o711)  # the sandbox user passes through (to its own directory), and lists nothing
        for leftover in root.glob("p*-*"):
            owner = leftover.name[1:].split("-", 1)[0]
            if owner.isdigit() and not pid_alive(int(owner)):
                shutil.rmtree(leftover, ignore_errors=True)
        hierarchy = sandbox_support().cgroups
        if hierarchy is not None:
            hierarchy.sweep(pid_alive)
    return root


def _session_cpu_ns(session: int) -> int:
    """CPU time of every process in a session, from /proc (when there is no cgroup to ask)."""
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields after the name: state ppid pgrp session ... utime(11) stime(12)
            total += (int(fields[11]) + int(fields[12])) * 1_000_000_000 // tick
    return total


class BackendProcess(SandboxRequests):
    """One running Deno process for one app version: started cold for it, or a warm one given it (`warm`)."""

    def __init__(self, *, key: tuple, bundle: Path, caller: Caller):
        """A cold start: a new sandbox running this bundle from its first instruction."""
        asked = time.monotonic()
        self._prepare(name=caller.app_sid)
        self._bind(key=key, caller=caller)
        self._launch(program=(bundle, "/app/bundle.js"))
        self.bridge.sandbox_session = self.proc.pid
        self._wait_ready()
        SANDBOX_STARTS.inc()
        SANDBOX_START_SECONDS.observe(time.monotonic() - asked)

    @classmethod
    def warm(cls) -> "BackendProcess":
        """A sandbox started ahead of need: Deno running the loader (js/loader.js), serving its socket, no app."""
        process = cls.__new__(cls)
        process._prepare(name="warm")
        process.key, process.caller, process.bridge = None, None, None
        process._launch(program=(LOADER, "/app/loader.js"), bundle_slot=True)
        process._wait_ready()
        return process

    def assign(self, *, key: tuple, bundle: Path, caller: Caller) -> None:
        """Give a warm sandbox its app: its bridge, its bundle in its run directory, and the word to load it."""
        asked = time.monotonic()
        self.name = caller.app_sid
        self._bind(key=key, caller=caller)
        self.bridge.sandbox_session = self.proc.pid
        shutil.copyfile(bundle, self.dir / "bundle.js")
        try:
            reply = self._platform_request("/__stage/load", LOAD_HEADER, timeout=10.0)
        except Exception:
            reply = None
        if reply is None or reply.status != 200:
            self.kill()
            raise BackendCrashed("The backend did not load in its warm sandbox.")
        self.last_used = self.last_busy = time.monotonic()
        SANDBOX_STARTS.inc()
        SANDBOX_START_SECONDS.observe(time.monotonic() - asked)

    def _platform_request(self, target: str, header: str, *, timeout: float):
        """One request of the platform's own to the harness or the loader, marked by a header no client's request
        carries (the gateway drops it: forwarding.INJECTED). Blocking: from a thread with no event loop."""
        request = {"method": "POST", "target": target, "headers": [(header, "1")], "body": b""}
        return asyncio.run(asyncio.wait_for(exchange(self.serve_path, **request, max_bytes=64 << 10), timeout))

    def _prepare(self, *, name: str) -> None:
        self.name = name
        self.dir = runtime_root() / f"p{os.getpid()}-{secrets.token_hex(4)}"
        self.id = self.dir.name
        prepare_run_dir(self.dir)
        self.serve_path = str(self.dir / "serve.sock")
        self.bridge_path = str(self.dir / "bridge.sock")
        self.inflight = 0
        self.last_used = self.last_busy = time.monotonic()
        self.idle_cpu_ms = 0.0
        self._cpu_seen_ns = 0

    def _bind(self, *, key: tuple, caller: Caller) -> None:
        self.key, self.caller = key, caller
        self.bridge = BridgeServer(self.bridge_path, caller=caller)
        share_socket(self.bridge_path)

    def _launch(self, *, program: tuple[Path, str], bundle_slot: bool = False) -> None:
        """Deno in a sandbox, allowed its two sockets (and, for the loader, the bundle it will be given)."""
        serve = seen_as(self.serve_path, f"{RUN_DIR}/serve.sock")
        bridge = seen_as(self.bridge_path, f"{RUN_DIR}/bridge.sock")
        bundle = seen_as(self.dir / "bundle.js", f"{RUN_DIR}/bundle.js") if bundle_slot else None
        host_path, inside = program
        args = [
            "run",
            "--no-prompt",
            "--no-remote",
            "--no-npm",
            "--no-config",
            "--no-lock",
            "--no-code-cache",  # a fresh DENO_DIR every start: writing V8's cache would only slow the start
            f"--allow-net=unix:{serve},unix:{bridge}",
            f"--allow-read={serve},{bridge}" + (f",{bundle}" if bundle else ""),
            f"--allow-write={serve},{bridge}",
            f"--v8-flags=--max-old-space-size={settings.STAGE_BACKEND_MEMORY_MB}",
            seen_as(host_path, inside),
            serve,
            bridge,
            *([bundle] if bundle else []),
        ]
        launched = launch(
            program=os.path.realpath(settings.STAGE_DENO),
            args=args,
            inputs={str(host_path): inside},
            run_dir=self.dir,
            name=self.name,
        )
        self.proc, self.cgroup = launched.proc, launched.cgroup

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        timer = threading.Timer(START_TIMEOUT_SECONDS, self.kill)
        timer.start()
        try:
            for raw in self.proc.stdout:
                if raw.strip() == b"stage-backend-ready":
                    break
                logger.info("backend %s: %s", self.name, raw.decode(errors="replace").rstrip())
        finally:
            timer.cancel()
        if not self.alive() or time.monotonic() > deadline:
            self.kill()
            raise BackendCrashed("The backend process did not start.")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """The app's console output goes to the platform's log, never blocking the process on a full pipe."""
        for raw in self.proc.stdout:
            logger.info("backend %s: %s", self.name, raw.decode(errors="replace").rstrip()[:2000])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def memory_bytes(self) -> int:
        return self.cgroup.memory_bytes() if self.cgroup is not None else 0

    def retire(self) -> None:
        """Stop without cutting a request short: the sandbox stops taking connections, finishes every request it
        has (within their deadline), and exits; then it is cleaned up. Blocking: run it off the request's path."""
        if self.alive():
            with contextlib.suppress(Exception):  # a sandbox that cannot be asked is killed below, as it would be
                self._platform_request("/__stage/drain", DRAIN_HEADER, timeout=1.0)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(settings.STAGE_BACKEND_DEADLINE_SECONDS + 1)
        self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.cgroup is not None:
            for pid in self.cgroup.pids():  # anything that left the process group is still in the cgroup
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.cgroup.remove()
        if self.proc.stdin:
            self.proc.stdin.close()
        if self.bridge is not None:
            self.bridge.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def crash_reason(self) -> str:
        if self.cgroup is not None and self.cgroup.oom_kills():
            return f"out of memory (limit {settings.STAGE_BACKEND_MEMORY_MB} MB)"
        return f"exit status {self.proc.returncode}"

    def cpu_ns(self) -> int:
        if self.cgroup is not None:
            return self.cgroup.cpu_usage_ns()
        return _session_cpu_ns(self.proc.pid)

    def idle_cpu_over_budget(self, tick_started: float, seconds: float) -> bool:
        """Charge the CPU used since the last tick to a leaky bucket if no request was open during it.

        The bucket drains at STAGE_BACKEND_IDLE_CPU_PERCENT of a core, so timers doing a little work now and
        then never fill it, and a process spinning with no request open fills it within a few seconds.
        """
        used_ns = self.cpu_ns()
        delta_ms, self._cpu_seen_ns = (used_ns - self._cpu_seen_ns) / 1e6, used_ns
        if self.inflight or self.last_busy >= tick_started:
            return False
        drain = seconds * 1000 * settings.STAGE_BACKEND_IDLE_CPU_PERCENT / 100
        self.idle_cpu_ms = max(0.0, self.idle_cpu_ms + delta_ms - drain)
        return self.idle_cpu_ms > settings.STAGE_BACKEND_IDLE_CPU_MS

    @property
    def app_sid(self) -> str:
        return self.name

    def _begun(self) -> None:
        self.inflight += 1
        self.last_busy = time.monotonic()

    def _ended(self) -> None:
        self.inflight -= 1
        self.last_used = self.last_busy = time.monotonic()

    async def _stop_for_deadline(self) -> None:
        await asyncio.to_thread(self.kill)

    async def _death(self) -> str | None:
        await asyncio.to_thread(self._wait_briefly)
        return None if self.alive() else self.crash_reason()

    async def forward_async(self, **request):
        try:
            return await super().forward_async(**request)
        except SandboxGone:  # stopped since the caller was handed it (its deadline, its idle CPU)
            raise BackendCrashed("The backend process was stopped.") from None

    def _wait_briefly(self) -> None:
        """Let a dying process finish dying, so the next request starts a new one."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(0.05)
