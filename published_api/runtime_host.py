"""The host runtime: one process per runtime directory that owns every sandbox on the host.

Every web process on the host (gunicorn's workers, the development server, a second `make serve` on another port
that shares the directory) asks it for the sandbox serving an app's channel or version, and then sends requests
straight to that sandbox's serve socket; so each (app, channel or version) runs in at most one sandbox per host,
however many web processes there are, and the runtime's caps (published_api/runtime.py: Supervisor) hold for the
host as a whole. The sandboxes' bridges (compute, inference, fetch) are served here too.

Protocol, on `<runtime dir>/runtime.sock` (the web processes' user only), one JSON object per line:
- `{"op": "acquire", "slot": [app, channel], "key": "...", "caller": [app, session], "bundle": path}` answers
  `{"ok": true, "id": ..., "serve": path}` (starting the sandbox if need be) or `{"ok": false, "code", "message",
  "status"}`;
- `{"op": "kill", "id": ...}` (a request ran past its deadline), `{"op": "death", "id": ...}` (why it died, or
  null while it lives), `{"op": "stats"}`.

Which sandboxes serve requests now, and which was used least recently, the runtime reads from the web processes'
ledgers (published_api/usage_ledger.py) when it chooses what to retire: no request tells it anything.

Started by `make serve` and `make run` beside the web processes, by a web process that finds none answering
(published_api/runtime_client.py), or by an operator with `manage.py runtime_host`; one holds the directory's
lock, so a second exits at once. Its sandboxes do not outlive
it: each reads its stdin from this process and exits at EOF, and bubblewrap dies with its parent. With no sandbox
and no web process asking for STAGE_RUNTIME_IDLE_EXIT_SECONDS, it exits; the next request starts it again.
"""

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import time
from pathlib import Path

from django.conf import settings

from core.errors import StageError
from published_api.backend_process import BackendProcess, runtime_root
from published_api.bridge import Caller
from published_api.runtime import Supervisor
from published_api.usage_ledger import read_usage

logger = logging.getLogger(__name__)
SOCKET_NAME = "runtime.sock"
LOCK_NAME = "runtime.lock"
MAX_LINE = 64 * 1024


def socket_path() -> Path:
    return runtime_root() / SOCKET_NAME


class HostRuntime:
    def __init__(self):
        self.supervisor = Supervisor(usage=lambda: read_usage(runtime_root()))
        self.connections = 0
        self.last_activity = time.monotonic()

    async def serve(self) -> None:
        path = socket_path()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        server = await asyncio.start_unix_server(self._connection, path=str(path), limit=MAX_LINE)
        os.chmod(path, 0o600)
        print("stage-runtime-ready", flush=True)
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        async with server:
            while not self._idle_long_enough() and not stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), min(5.0, settings.STAGE_RUNTIME_IDLE_EXIT_SECONDS))
        logger.info("runtime: idle for %ss, exiting", settings.STAGE_RUNTIME_IDLE_EXIT_SECONDS)

    def _idle_long_enough(self) -> bool:
        if self.connections or self.supervisor.processes():
            self.last_activity = time.monotonic()
            return False
        return time.monotonic() - self.last_activity > settings.STAGE_RUNTIME_IDLE_EXIT_SECONDS

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while line := await reader.readline():
                message = json.loads(line)
                op = message.get("op")
                writer.write(json.dumps(await self._answer(op, message)).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, ValueError, asyncio.LimitOverrunError):
            pass  # a web process that went away, or sent what is not ours: its connection ends
        finally:
            self.connections -= 1
            writer.close()

    async def _answer(self, op, message: dict) -> dict:
        try:
            if op == "acquire":
                process = await asyncio.to_thread(self._acquire, message)
                return {"ok": True, "id": process.id, "serve": process.serve_path}
            if op == "kill":
                if (process := self.supervisor.by_id(str(message.get("id")))) is not None:
                    await asyncio.to_thread(process.kill)
                return {"ok": True}
            if op == "death":
                return {"ok": True, "death": await self._death(str(message.get("id")))}
            if op == "stats":
                processes = [_stats(process) for process in self.supervisor.processes()]
                return {"ok": True, "pid": os.getpid(), "processes": processes}
            return {"ok": False, "code": "VALIDATION_ERROR", "message": f"Unknown op: {op}", "status": 400}
        except StageError as error:
            return {"ok": False, "code": error.code, "message": error.message, "status": int(error.status_code)}

    def _acquire(self, message: dict) -> BackendProcess:
        app_sid, channel = message["slot"]
        caller = Caller(*message["caller"])
        bundle = Path(message["bundle"])
        return self.supervisor.process_for(
            slot=(app_sid, channel), key=message["key"], caller=caller, bundle=lambda: bundle
        )

    async def _death(self, process_id: str) -> str | None:
        process = self.supervisor.by_id(process_id)
        if process is None:
            return "it was stopped"
        return await process._death()


def _stats(process: BackendProcess) -> dict:
    return {
        "id": process.id,
        "app": process.app_sid,
        "inflight": process.inflight,
        "memory": process.memory_bytes(),
        "idleSeconds": round(time.monotonic() - process.last_used, 3),
    }


def run() -> int:
    """Serve until idle; 0 at once when another runtime holds this directory."""
    lock = os.open(runtime_root() / LOCK_NAME, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("stage-runtime-ready", flush=True)  # the one that holds it serves
        return 0
    runtime = HostRuntime()
    try:
        asyncio.run(runtime.serve())
    finally:
        runtime.supervisor.stop_all(final=True)
        with contextlib.suppress(FileNotFoundError):
            socket_path().unlink()
        os.close(lock)
    return 0
