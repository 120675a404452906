"""The supervisor: one sandboxed Deno process per (app, channel) in this web process, started on demand.

Each process runs its version's bundle in the kernel's sandbox (published_api/sandbox: namespaces, its own
cgroup, an unprivileged user, seccomp) with no Deno permissions beyond its own two Unix sockets (serve and
bridge). The gateway forwards a request over the serve socket with a deadline; past it the process is SIGKILLed
(a spinning isolate ignores SIGTERM) and the caller gets 504. A dead process (crash, out of memory) is noticed on
the next request and replaced. A monitor thread stops processes idle too long and kills any that burns CPU while
no request is in flight (timers, Workers): a deadline only covers the time a request is open.
"""

import asyncio
import atexit
import contextlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from published_api.backend_client import exchange
from published_api.bridge import BridgeServer, Caller
from published_api.errors import BackendBusy, BackendCrashed
from published_api.forwarding import DRAIN_HEADER, LOAD_HEADER
from published_api.metrics import SANDBOX_EVICTIONS, SANDBOX_KILLS, SANDBOX_START_SECONDS, SANDBOX_STARTS
from published_api.sandbox.bwrap import RUN_DIR
from published_api.sandbox.cgroups import pid_alive
from published_api.sandbox.launch import launch, prepare_run_dir, seen_as, share_socket, spares
from published_api.sandbox.probe import sandbox_support
from published_api.sandbox_requests import SandboxGone, SandboxRequests
from published_api.threads import in_thread

logger = logging.getLogger(__name__)
START_TIMEOUT_SECONDS = 10.0
MONITOR_SECONDS = 0.5
LOADER = Path(__file__).resolve().parent / "js" / "loader.js"
MIN_NEW_SANDBOX_BYTES = 16 << 20  # room kept for a sandbox about to start (an idle one holds ~12 MiB)

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
        load = {"method": "POST", "target": "/__stage/load", "headers": [(LOAD_HEADER, "1")], "body": b""}
        try:
            reply = asyncio.run(asyncio.wait_for(exchange(self.serve_path, **load, max_bytes=64 << 10), 10.0))
        except Exception:
            reply = None
        if reply is None or reply.status != 200:
            self.kill()
            raise BackendCrashed("The backend did not load in its warm sandbox.")
        self.last_used = self.last_busy = time.monotonic()
        SANDBOX_STARTS.inc()
        SANDBOX_START_SECONDS.observe(time.monotonic() - asked)

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
                request = {"method": "POST", "target": "/__stage/drain", "headers": [(DRAIN_HEADER, "1")], "body": b""}
                asyncio.run(asyncio.wait_for(exchange(self.serve_path, **request, max_bytes=1024), 1.0))
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


class Supervisor:
    """Every sandbox of this runtime, one per (app, channel or version), started on demand and kept while there is
    room: at most STAGE_RUNTIME_MAX_PROCESSES of them holding at most STAGE_RUNTIME_MEMORY_MB in all. To start one
    more, the least recently used sandboxes with no request in flight are retired until there is room (never one
    serving a request; with none idle, the start is refused: 503 BACKEND_BUSY)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._slots: dict[tuple[str, str], BackendProcess] = {}
        self._starting: dict[tuple[str, str], threading.Lock] = {}
        self._retiring: set[BackendProcess] = set()
        self._monitor: threading.Thread | None = None
        self._warm: list[BackendProcess] = []
        self._warming = threading.Event()  # set: the pool wants filling
        self._warmer: threading.Thread | None = None
        self._closed = False  # the host runtime is stopping: nothing more is started

    def process_for(self, *, slot: tuple[str, str], key: tuple, caller: Caller, bundle: Callable[[], Path]):
        """The live process for this slot and key; a changed key, a dead or missing process means a new one."""
        current = self._slots.get(slot)
        if current is not None and current.key == key and current.alive():
            return current
        with self._lock:
            starting = self._starting.setdefault(slot, threading.Lock())
            self._ensure_monitor()
        with starting:
            current = self._slots.get(slot)
            if current is not None and current.key == key and current.alive():
                return current
            path = bundle()
            if current is not None:  # the replaced process finishes what it serves, in the background
                self._slots.pop(slot, None)
                self._retire(current)
            self._make_room()
            process = self._started(key=key, bundle=path, caller=caller)
            self._slots[slot] = process
        return process

    def _started(self, *, key: tuple, bundle: Path, caller: Caller) -> BackendProcess:
        """A warm sandbox given this app when one is waiting (no process start on the request's time), else a
        cold start; the pool is filled again in the background."""
        warm = self._take_warm()
        self._fill_warm_pool()
        if warm is not None:
            try:
                warm.assign(key=key, bundle=bundle, caller=caller)
                return warm
            except BackendCrashed:
                logger.warning("a warm sandbox did not load %s; starting one cold", caller.app_sid)
        return BackendProcess(key=key, bundle=bundle, caller=caller)

    def _take_warm(self) -> BackendProcess | None:
        with self._lock:
            while self._warm:
                process = self._warm.pop(0)
                if process.alive():
                    return process
                threading.Thread(target=process.kill, daemon=True).start()
        return None

    def _fill_warm_pool(self) -> None:
        """Keep STAGE_RUNTIME_WARM sandboxes started ahead of need (one thread makes them, one at a time)."""
        if settings.STAGE_RUNTIME_WARM <= 0 or self._closed:
            return
        with self._lock:
            if self._warmer is None:
                self._warmer = threading.Thread(target=self._keep_warm, name="backend-warmer", daemon=True)
                self._warmer.start()
        self._warming.set()

    def _keep_warm(self) -> None:
        while not self._closed:
            self._warming.wait()
            self._warming.clear()
            while not self._closed and len(self._warm) < settings.STAGE_RUNTIME_WARM:
                try:
                    process = BackendProcess.warm()
                except Exception:  # the next request starts cold, and asks again
                    logger.exception("a warm sandbox did not start")
                    break
                with self._lock:
                    self._warm.append(process)  # (stop_all takes it, even once closed)

    def warm_count(self) -> int:
        return len(self._warm)

    def _retire(self, process: BackendProcess) -> None:
        with self._lock:
            self._retiring.add(process)

        def retire():
            try:
                process.retire()
            finally:
                with self._lock:
                    self._retiring.discard(process)

        threading.Thread(target=retire, name="backend-retire", daemon=True).start()

    def _make_room(self) -> None:
        """Retire the least recently used idle sandboxes until one more fits under both caps (sandboxes on their
        way out count until they are gone)."""
        cap, budget = settings.STAGE_RUNTIME_MAX_PROCESSES, settings.STAGE_RUNTIME_MEMORY_MB << 20
        deadline = time.monotonic() + 2.0
        while True:
            with self._lock:  # the warm sandboxes and those on their way out hold memory too
                live, others = list(self._slots.items()), [*self._retiring, *self._warm]
            sizes = sorted(process.memory_bytes() for _, process in live)
            room = max(MIN_NEW_SANDBOX_BYTES, sizes[len(sizes) // 2] if sizes else 0)
            leaving = sum(process.memory_bytes() for process in others)
            if len(live) < cap and sum(sizes) + leaving + room <= budget:
                return
            idle = [(process.last_used, slot, process) for slot, process in live if process.inflight <= 0]
            if idle and (len(live) >= cap or sum(sizes) + room > budget):
                _, slot, victim = min(idle, key=lambda entry: entry[0])
                with self._lock:
                    if self._slots.get(slot) is victim:
                        self._slots.pop(slot, None)
                SANDBOX_EVICTIONS.inc()
                self._retire(victim)
            elif self._retiring and time.monotonic() < deadline:
                time.sleep(0.01)  # retired sandboxes are on their way out: their memory is freed in a moment
            else:
                held = (sum(sizes) + leaving) >> 20
                raise BackendBusy(f"This host runs {len(live)} sandboxes ({held} MiB), all serving requests.")

    def touch(self, process: BackendProcess, *, began: bool) -> None:
        """A request to the process began or ended (the host runtime hears of it from the web processes)."""
        process.inflight += 1 if began else -1
        process.last_used = process.last_busy = time.monotonic()

    def ready(self, *, slot: tuple[str, str], key: tuple) -> "BackendProcess | None":
        """The live process for this slot and key, if there is one (no waiting, no starting)."""
        current = self._slots.get(slot)
        return current if current is not None and current.key == key and current.alive() else None

    async def process_for_async(self, **kwargs) -> "BackendProcess":
        """process_for, starting a process (compile, spawn, wait for it) off the event loop (published_api/threads)."""
        ready = self.ready(slot=kwargs["slot"], key=kwargs["key"])
        return ready or await in_thread("start", self.process_for, **kwargs)

    def stop_all(self, *, final: bool = False) -> None:
        """Stop every sandbox (final: for good, this runtime is stopping; a warm sandbox being started is waited
        for, and stopped too)."""
        if final:
            self._closed = True
            self._warming.set()
            if self._warmer is not None:
                self._warmer.join(START_TIMEOUT_SECONDS + 1)
        with self._lock:
            processes, self._slots = list(self._slots.values()), {}
            processes += list(self._retiring) + self._warm
            self._warm = []
        for process in processes:
            process.kill()
        spares.discard()

    def by_id(self, process_id: str) -> BackendProcess | None:
        return next((process for process in list(self._slots.values()) if process.id == process_id), None)

    def processes(self) -> list[BackendProcess]:
        return list(self._slots.values())

    def reap_idle(self) -> int:
        limit = settings.STAGE_BACKEND_IDLE_SECONDS
        now, reaped = time.monotonic(), 0
        for slot, process in list(self._slots.items()):
            if process.inflight <= 0 and (now - process.last_used > limit or not process.alive()):
                if self._slots.get(slot) is process:
                    self._slots.pop(slot, None)
                self._retire(process)
                reaped += 1
        return reaped

    def kill_idle_spinners(self, tick_started: float, seconds: float) -> int:
        """Kill every process that has burned more than its idle CPU budget with no request in flight."""
        killed = 0
        for slot, process in list(self._slots.items()):
            if not process.alive() or not process.idle_cpu_over_budget(tick_started, seconds):
                continue
            logger.error(
                "backend %s: burned %.0f ms of CPU with no request in flight; killed",
                process.caller.app_sid,
                process.idle_cpu_ms,
            )
            SANDBOX_KILLS.labels("idle_cpu").inc()
            if self._slots.get(slot) is process:
                self._slots.pop(slot, None)
            process.kill()
            killed += 1
        return killed

    def _ensure_monitor(self) -> None:
        if self._monitor is None:
            self._monitor = threading.Thread(target=self._watch_forever, name="backend-monitor", daemon=True)
            self._monitor.start()

    def _watch_forever(self) -> None:
        tick_started = time.monotonic()
        while True:
            time.sleep(MONITOR_SECONDS)
            now = time.monotonic()
            try:
                self.kill_idle_spinners(tick_started, now - tick_started)
                self.reap_idle()
            except Exception:  # the monitor must outlive one bad process
                logger.exception("backend monitor failed")
            tick_started = now


supervisor = Supervisor()
atexit.register(supervisor.stop_all)
