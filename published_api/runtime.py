"""The supervisor: one Deno process per (app, channel) in this web process, started on demand.

Each process runs its version's bundle with no permissions beyond its own two Unix sockets (serve and
bridge), inside an empty network namespace (`unshare -n`) where the OS allows it, with a V8 heap cap. The
gateway forwards a request over the serve socket with a deadline; past it the process is SIGKILLed (a
spinning isolate ignores SIGTERM) and the caller gets 504. A dead process is noticed on the next request
and replaced; idle processes are reaped by a background thread.
"""

import atexit
import contextlib
import http.client
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from published_api.bridge import BridgeServer, Caller
from published_api.errors import BackendCrashed, BackendTimeout, BackendTooLarge
from stage.observability import SANDBOX_KILLS

logger = logging.getLogger(__name__)
START_TIMEOUT_SECONDS = 10.0
_unshare_ok: bool | None = None


def _can_unshare() -> bool:
    global _unshare_ok
    if _unshare_ok is None:
        if not settings.STAGE_BACKEND_UNSHARE_NET or shutil.which("unshare") is None:
            _unshare_ok = False
        else:
            probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
            _unshare_ok = probe.returncode == 0
        if not _unshare_ok:
            logger.warning(
                "Backends run WITHOUT an empty network namespace (unshare -n unavailable or disabled); "
                "Deno's --allow-net is still limited to each process's own Unix sockets."
            )
    return _unshare_ok


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class BackendProcess:
    """One running Deno process for one app version."""

    def __init__(self, *, key: tuple, bundle: Path, caller: Caller):
        self.key = key
        self.caller = caller
        root = Path(settings.STAGE_BACKEND_RUNTIME_DIR)
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.dir = Path(f"{root}/p-{caller.app_sid}-{secrets.token_hex(4)}")
        self.dir.mkdir(mode=0o700)
        self.serve_path = str(self.dir / "serve.sock")
        bridge_path = str(self.dir / "bridge.sock")
        self.bridge = BridgeServer(bridge_path, caller=caller)
        sockets = f"{self.serve_path},{bridge_path}"
        command = [
            settings.STAGE_DENO,
            "run",
            "--no-prompt",
            "--no-remote",
            "--no-npm",
            "--no-config",
            "--no-lock",
            f"--allow-net=unix:{self.serve_path},unix:{bridge_path}",
            f"--allow-read={sockets}",
            f"--allow-write={sockets}",
            f"--v8-flags=--max-old-space-size={settings.STAGE_BACKEND_MEMORY_MB}",
            str(bundle),
            self.serve_path,
            bridge_path,
        ]
        if _can_unshare():
            command = ["unshare", "-n", *command]
        env = {"DENO_DIR": str(root / "deno-cache"), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,  # closed when this web process dies; the harness exits on EOF
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own session and process group: the bridge knows its peers by it
        )
        self.bridge.sandbox_session = self.proc.pid
        self.inflight = 0
        self.last_used = time.monotonic()
        self._wait_ready()
        self._local = threading.local()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        timer = threading.Timer(START_TIMEOUT_SECONDS, self.kill)
        timer.start()
        try:
            for raw in self.proc.stdout:
                if raw.strip() == b"stage-backend-ready":
                    break
                logger.info("backend %s: %s", self.caller.app_sid, raw.decode(errors="replace").rstrip())
        finally:
            timer.cancel()
        if not self.alive() or time.monotonic() > deadline:
            self.kill()
            raise BackendCrashed("The backend process did not start.")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """The app's console output goes to the platform's log, never blocking the process on a full pipe."""
        for raw in self.proc.stdout:
            logger.info("backend %s: %s", self.caller.app_sid, raw.decode(errors="replace").rstrip()[:2000])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.proc.stdin:
            self.proc.stdin.close()
        self.bridge.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _connection(self) -> "_UnixHTTPConnection":
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = _UnixHTTPConnection(self.serve_path)
        return conn

    def forward(self, *, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        """Send one request; past the deadline SIGKILL the process (504); cap the response size (413)."""
        reused = getattr(self._local, "conn", None) is not None and self._local.conn.sock is not None
        try:
            return self._forward(method, path, headers, body)
        except BackendCrashed:
            if not (reused and self.alive()):
                raise
            return self._forward(method, path, headers, body)  # a kept-alive connection had gone stale

    def _forward(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        deadline = settings.STAGE_BACKEND_DEADLINE_SECONDS
        max_bytes = settings.STAGE_BACKEND_MAX_RESPONSE_BYTES
        ends = time.monotonic() + deadline
        conn = self._connection()
        self.inflight += 1
        try:
            conn.timeout = deadline
            if conn.sock is not None:
                conn.sock.settimeout(deadline)
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for key, value in headers:
                conn.putheader(key, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            response = conn.getresponse()
            declared = response.getheader("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                conn.close()
                return _too_large(max_bytes)
            chunks, size = [], 0
            while chunk := response.read1(256 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    conn.close()
                    return _too_large(max_bytes)
                if time.monotonic() > ends:
                    raise TimeoutError
                conn.sock.settimeout(max(0.01, ends - time.monotonic()))
                chunks.append(chunk)
            response.close()  # complete: the connection stays open for the next request
            return Reply(response.status, response.getheaders(), b"".join(chunks))
        except TimeoutError:
            conn.close()
            logger.warning("backend %s: deadline of %ss exceeded, killing it", self.caller.app_sid, deadline)
            SANDBOX_KILLS.labels("deadline").inc()
            self.kill()
            raise BackendTimeout(f"The backend did not answer within {deadline:g} s and was stopped.") from None
        except (OSError, http.client.HTTPException):
            conn.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(0.05)  # let a dying process finish dying so the next request restarts it
            if not self.alive():
                SANDBOX_KILLS.labels("crashed").inc()
                raise BackendCrashed(f"The backend process crashed (exit status {self.proc.returncode}).") from None
            raise BackendCrashed("The backend closed the connection.") from None
        finally:
            self.inflight -= 1
            self.last_used = time.monotonic()


class _UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP/1.1 with keep-alive over the process's serve socket (one per thread)."""

    def __init__(self, path: str):
        super().__init__("backend")
        self.path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.path)
        self.sock = sock


def _too_large(max_bytes: int) -> Reply:
    raise BackendTooLarge(f"The backend's response exceeds {max_bytes} bytes.")


class Supervisor:
    def __init__(self):
        self._lock = threading.Lock()
        self._slots: dict[tuple[str, str], BackendProcess] = {}
        self._starting: dict[tuple[str, str], threading.Lock] = {}
        self._reaper: threading.Thread | None = None

    def process_for(self, *, slot: tuple[str, str], key: tuple, caller: Caller, bundle: Callable[[], Path]):
        """The live process for this slot and key; a changed key, a dead or missing process means a new one."""
        current = self._slots.get(slot)
        if current is not None and current.key == key and current.alive():
            return current
        with self._lock:
            starting = self._starting.setdefault(slot, threading.Lock())
            self._ensure_reaper()
        with starting:
            current = self._slots.get(slot)
            if current is not None and current.key == key and current.alive():
                return current
            path = bundle()
            process = BackendProcess(key=key, bundle=path, caller=caller)
            self._slots[slot] = process
        if current is not None:
            current.kill()
        return process

    def stop_all(self) -> None:
        with self._lock:
            processes, self._slots = list(self._slots.values()), {}
        for process in processes:
            process.kill()

    def processes(self) -> list[BackendProcess]:
        return list(self._slots.values())

    def reap_idle(self) -> int:
        limit = settings.STAGE_BACKEND_IDLE_SECONDS
        now, reaped = time.monotonic(), 0
        for slot, process in list(self._slots.items()):
            if process.inflight == 0 and (now - process.last_used > limit or not process.alive()):
                if self._slots.get(slot) is process:
                    self._slots.pop(slot, None)
                process.kill()
                reaped += 1
        return reaped

    def _ensure_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = threading.Thread(target=self._reap_forever, name="backend-reaper", daemon=True)
            self._reaper.start()

    def _reap_forever(self) -> None:
        while True:
            time.sleep(max(1.0, min(30.0, settings.STAGE_BACKEND_IDLE_SECONDS / 4)))
            try:
                self.reap_idle()
            except Exception:  # the reaper must outlive one bad process
                logger.exception("backend reaper failed")


supervisor = Supervisor()
atexit.register(supervisor.stop_all)
