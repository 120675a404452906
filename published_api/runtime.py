"""The supervisor: every sandbox of a runtime, one per (app, channel or version), started on demand.

The host's runtime process runs one (published_api/runtime_host.py) for every web process on the host; with
STAGE_RUNTIME=process each web process runs its own. A dead process (crash, out of memory) is noticed on the
next request and replaced. A monitor thread retires processes idle too long and kills any that burns CPU while
no request is in flight (timers, Workers): a deadline only covers the time a request is open.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from published_api.backend_process import START_TIMEOUT_SECONDS, BackendProcess
from published_api.bridge import Caller
from published_api.errors import BackendBusy, BackendCrashed
from published_api.metrics import SANDBOX_EVICTIONS, SANDBOX_KILLS
from published_api.sandbox.launch import spares
from published_api.sandbox.probe import sandbox_support
from published_api.threads import in_thread

logger = logging.getLogger(__name__)
MONITOR_SECONDS = 0.5
MIN_NEW_SANDBOX_BYTES = 16 << 20  # room kept for a sandbox about to start (an idle one holds ~12 MiB)
HEADROOM_BYTES = 8 << 20  # and for what a start sets going beside it: the next spare, a warm sandbox refilled


class Supervisor:
    """Every sandbox of this runtime, one per (app, channel or version), started on demand and kept while there is
    room: at most STAGE_RUNTIME_MAX_PROCESSES of them holding at most STAGE_RUNTIME_MEMORY_MB in all. To start one
    more, the least recently used sandboxes with no request in flight are retired until there is room (never one
    serving a request; with none idle, the start is refused: 503 BACKEND_BUSY)."""

    def __init__(self, *, usage: Callable[[], dict[str, tuple[int, float]]] | None = None):
        self._usage = usage  # the host runtime's: what web processes note of their requests (usage_ledger.py)
        self._lock = threading.Lock()
        self._slots: dict[tuple[str, str], BackendProcess] = {}
        self._starting: dict[tuple[str, str], threading.Lock] = {}
        self._retiring: set[BackendProcess] = set()
        self._reserved = 0  # bytes promised to sandboxes being started
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
            room = self._make_room()
            try:
                process = self._started(key=key, bundle=path, caller=caller)
            finally:
                self._reserve(-room)  # started: the cgroups count it now
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
            budget = settings.STAGE_RUNTIME_MEMORY_MB << 20
            while not self._closed and len(self._warm) < settings.STAGE_RUNTIME_WARM:
                with self._lock:  # warm sandboxes live inside the budget too: none while it is full
                    if self._held_bytes() + self._reserved + MIN_NEW_SANDBOX_BYTES + HEADROOM_BYTES > budget:
                        break
                    self._reserved += MIN_NEW_SANDBOX_BYTES
                try:
                    process = BackendProcess.warm()
                except Exception:  # the next request starts cold, and asks again
                    logger.exception("a warm sandbox did not start")
                    break
                finally:
                    self._reserve(-MIN_NEW_SANDBOX_BYTES)
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

    def _reserve(self, size: int) -> None:
        with self._lock:
            self._reserved += size

    def _make_room(self) -> int:
        """Retire the least recently used idle sandboxes, one at a time and each to its end, until one more fits
        under both caps; reserve its room (returned) until it has started. The memory is the kernel's count for
        every cgroup this process made (live, warm, spare and retiring sandboxes alike) plus the rooms reserved by
        starts under way, so the budget holds for what the host actually gives them."""
        cap, budget = settings.STAGE_RUNTIME_MAX_PROCESSES, settings.STAGE_RUNTIME_MEMORY_MB << 20
        deadline = time.monotonic() + 2.0
        while True:
            self._refresh_usage()
            with self._lock:
                live = list(self._slots.items())
            sizes = sorted(process.memory_bytes() for _, process in live)
            room = max(MIN_NEW_SANDBOX_BYTES, sizes[len(sizes) // 2] if sizes else 0)
            with self._lock:
                held = self._held_bytes() + self._reserved
                if len(live) < cap and held + room + HEADROOM_BYTES <= budget:
                    self._reserved += room
                    return room
            idle = [(process.last_used, slot, process) for slot, process in live if process.inflight <= 0]
            if idle:
                _, slot, victim = min(idle, key=lambda entry: entry[0])
                with self._lock:
                    if self._slots.get(slot) is victim:
                        self._slots.pop(slot, None)
                SANDBOX_EVICTIONS.inc()
                victim.retire()  # idle: it drains at once and exits, and its memory is free before the next look
            elif self._retiring and time.monotonic() < deadline:
                time.sleep(0.01)  # replaced sandboxes are on their way out: their memory is freed in a moment
            else:
                raise BackendBusy(f"This host runs {len(live)} sandboxes ({held >> 20} MiB), all serving requests.")

    def _held_bytes(self) -> int:
        hierarchy = sandbox_support().cgroups
        if hierarchy is None:  # (called under self._lock: copies, no locking)
            known = [*list(self._slots.values()), *list(self._retiring), *list(self._warm)]
            return sum(process.memory_bytes() for process in known)
        mine = f"{os.getpid()}-"
        return sum(group.memory_bytes() for group in hierarchy.groups() if group.name.startswith(mine))

    def _refresh_usage(self) -> None:
        """In the host runtime, each sandbox's requests in flight and last use, as the web processes noted them."""
        if self._usage is None:
            return  # this process sends the requests itself: its counts are its own
        usage = self._usage()
        for process in list(self._slots.values()):
            in_flight, last_used = usage.get(process.id, (0, 0.0))
            process.inflight = in_flight
            process.last_used = process.last_busy = max(process.last_used, last_used)

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
                self._refresh_usage()  # once a tick, for both looks
                self.kill_idle_spinners(tick_started, now - tick_started)
                self.reap_idle()
            except Exception:  # the monitor must outlive one bad process
                logger.exception("backend monitor failed")
            tick_started = now


supervisor = Supervisor()
atexit.register(supervisor.stop_all, final=True)
