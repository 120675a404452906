"""A web process's way to the host runtime (published_api/runtime_host.py), and the sandboxes it hands out.

The first time a web process needs an app's sandbox it asks the runtime for it (starting the runtime if none
answers on this host: one web process does, under a lock); from then on its requests go straight to the sandbox's
serve socket, noting each one's beginning and end in its ledger, which the runtime reads (usage_ledger.py). A
sandbox the runtime has retired since answers no more connections: the request then asks again and goes to the
one serving now.
"""

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from core.errors import StageError
from published_api.backend_process import runtime_root
from published_api.bridge import Caller
from published_api.runtime_host import MAX_LINE, socket_path
from published_api.sandbox_requests import SandboxGone, SandboxRequests
from published_api.threads import in_thread
from published_api.usage_ledger import Ledger

logger = logging.getLogger(__name__)
START_SECONDS = 20.0
SPAWN_LOCK = "runtime-start.lock"
# The runtime runs its sandboxes with the settings of the web process that starts it.
PASSED_SETTINGS = (
    "STAGE_BACKEND_RUNTIME_DIR", "STAGE_RUNTIME_MAX_PROCESSES", "STAGE_RUNTIME_MEMORY_MB",
    "STAGE_RUNTIME_IDLE_EXIT_SECONDS", "STAGE_BACKEND_IDLE_SECONDS", "STAGE_BACKEND_DEADLINE_SECONDS",
    "STAGE_BACKEND_MEMORY_MB", "STAGE_BACKEND_MAX_THREADS", "STAGE_BACKEND_CPU_CORES", "STAGE_RUNTIME_WARM",
)  # fmt: skip


class RuntimeRefused(StageError):
    """What the runtime said went wrong, as it said it."""

    def __init__(self, reply: dict):
        self.status_code, self.code = int(reply.get("status") or 500), str(reply.get("code") or "BACKEND_CRASHED")
        super().__init__(str(reply.get("message") or "The runtime refused."))


class HostedSandbox(SandboxRequests):
    """A sandbox the host runtime owns, as this web process reaches it."""

    def __init__(self, client: "HostRuntimeClient", reply: dict, *, slot, key, caller: Caller, bundle):
        self.client, self.id, self.serve_path = client, reply["id"], reply["serve"]
        self.slot, self.key, self.caller, self.bundle = slot, key, caller, bundle
        self.app_sid = caller.app_sid

    def _begun(self) -> None:
        self.client.ledger().began(self.id)

    def _ended(self) -> None:
        self.client.ledger().ended(self.id)

    async def _stop_for_deadline(self) -> None:
        await asyncio.to_thread(self.client.ask, {"op": "kill", "id": self.id})

    async def _death(self) -> str | None:
        await asyncio.sleep(0.05)  # a dying sandbox: let it finish dying
        return (await asyncio.to_thread(self.client.ask, {"op": "death", "id": self.id})).get("death")

    async def forward_async(self, **request):
        try:
            return await super().forward_async(**request)
        except SandboxGone:  # retired or replaced since this process last asked: ask again, send it there
            self.client.forget(self)
            serving = await self.client.process_for_async(
                slot=self.slot, key=self.key, caller=self.caller, bundle=self.bundle
            )
            return await SandboxRequests.forward_async(serving, **request)


def database_url() -> str:
    """This process's database, for the runtime it starts (under the tests, not the one the environment names)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = f"{db['USER']}:{db['PASSWORD']}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class HostRuntimeClient:
    def __init__(self):
        self._known: dict[tuple[str, str], HostedSandbox] = {}
        self._ledger: Ledger | None = None
        self._ledger_lock = threading.Lock()

    # --- sandboxes -------------------------------------------------------------------------------------------------

    def ready(self, *, slot: tuple[str, str], key) -> HostedSandbox | None:
        known = self._known.get(slot)
        return known if known is not None and known.key == key else None

    def process_for(self, *, slot: tuple[str, str], key, caller: Caller, bundle) -> HostedSandbox:
        """The sandbox serving this slot and key, started by the runtime if need be."""
        message = {
            "op": "acquire",
            "slot": list(slot),
            "key": repr(key),
            "caller": [caller.app_sid, caller.session_id],
            "bundle": str(bundle()),
        }
        reply = self.ask(message)
        if not reply.get("ok"):
            raise RuntimeRefused(reply)
        sandbox = HostedSandbox(self, reply, slot=slot, key=key, caller=caller, bundle=bundle)
        self._known[slot] = sandbox
        return sandbox

    async def process_for_async(self, **kwargs) -> HostedSandbox:
        return self.ready(slot=kwargs["slot"], key=kwargs["key"]) or await in_thread(
            "start", self.process_for, **kwargs
        )

    def forget(self, sandbox: HostedSandbox) -> None:
        if self._known.get(sandbox.slot) is sandbox:
            self._known.pop(sandbox.slot, None)

    def stop_all(self) -> None:
        """The runtime's sandboxes are the runtime's: a web process only forgets what it knew."""
        self._known.clear()

    # --- talking to the runtime -------------------------------------------------------------------------------

    def ask(self, message: dict, *, timeout: float = START_SECONDS) -> dict:
        with self._connected(timeout) as conversation:
            conversation.sendall(_line(message))
            with conversation.makefile("rb") as answers:
                line = answers.readline(MAX_LINE)
        if not line:
            raise RuntimeRefused({"message": "The runtime went away before it answered.", "status": 503})
        return json.loads(line)

    def ledger(self) -> Ledger:
        """Where this process notes its requests to the runtime's sandboxes (published_api/usage_ledger.py)."""
        if self._ledger is None:
            with self._ledger_lock:
                if self._ledger is None:
                    self._ledger = Ledger(runtime_root())
        return self._ledger

    def _connected(self, timeout: float) -> socket.socket:
        try:
            return _connect(timeout)
        except (FileNotFoundError, ConnectionRefusedError):
            self._start_runtime()
            return _connect(timeout)

    def _start_runtime(self) -> None:
        """Start the host's runtime, unless another web process is doing so or just has."""
        lock = os.open(runtime_root() / SPAWN_LOCK, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with contextlib.suppress(FileNotFoundError, ConnectionRefusedError):
                _connect(1.0).close()
                return
            started = _spawn()
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline:
                with contextlib.suppress(FileNotFoundError, ConnectionRefusedError):
                    _connect(1.0).close()
                    return
                if started.poll() not in (None, 0):  # 0: another runtime holds the directory and is starting
                    break
                time.sleep(0.02)
            raise RuntimeRefused({"message": "The backend runtime did not start; see its log.", "status": 503})
        finally:
            os.close(lock)


def _line(message: dict) -> bytes:
    return json.dumps(message).encode() + b"\n"


def _connect(timeout: float) -> socket.socket:
    conversation = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conversation.settimeout(timeout)
    try:
        conversation.connect(str(socket_path()))
    except BaseException:
        conversation.close()
        raise
    return conversation


def _spawn() -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL or "",
        **{name: str(getattr(settings, name)) for name in PASSED_SETTINGS},
    }
    log = open(Path(settings.STAGE_BACKEND_RUNTIME_DIR) / "runtime.log", "ab")  # noqa: SIM115 (the child's)
    try:
        return subprocess.Popen(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "runtime_host"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not the web process's group: it serves every web process on the host
            close_fds=True,
        )
    finally:
        log.close()


host_runtime = HostRuntimeClient()
