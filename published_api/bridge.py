"""The platform end of the sandbox bridge: one Unix socket per backend process, on which the sandbox keeps one
connection alive and sends one JSON line per call, many calls at once.

Request:  {"id": 7, "op": "fetch", "args": {...}}
Answer:   {"id": 7, "ok": true, "result": {...}}  or  {"id": 7, "ok": false, "error": {"code": "...", "message": "..."}}

Each answer carries its request's id and is written as soon as it is ready, so answers may come back out of order
(a backend fires many calls at once with Promise.all). A request without an id gets an answer without one.

No secret travels on it, so app code has none to steal. The platform knows who is calling from the kernel:
the socket lives in that process's own directory (the only one its sandbox can reach), and every connection's
peer is checked once, when it connects, with SO_PEERCRED to belong to the process the listener was made for (its
session, as the sandbox was started with setsid). A call therefore acts for exactly one app and session, whatever
it says. Operations: `fetch` (outbound HTTP under the egress policy); the inference and compute apps register
theirs in OPERATIONS from their AppConfig.ready().

Serving costs no thread per sandbox, connection or call: every bridge socket of the process is served by one
asyncio event loop on one thread, which reads lines and writes answers, and the operations (synchronous code: the
ORM, PostgreSQL, outbound HTTP) run on two bounded pools of threads shared by every sandbox:
- CALL_THREADS for calls that may wait (an outbound fetch, inference, opening a compute transaction, which waits
  for its app's slot and lock); one sandbox runs at most PER_SANDBOX_CALLS of them at once, and its further calls
  wait their turn in its own queue, so one app cannot take the threads another app needs.
- HOLDING_THREADS (PER_SANDBOX_HOLDING per sandbox) for calls that continue work already holding its resources (a
  ctx.db call in an open compute transaction, its commit; the ops say which in HOLDING): they only ever wait for
  their own transaction's statements, and run apart so that they never queue behind calls waiting for that very
  transaction to end.
"""

import asyncio
import base64
import contextlib
import json
import logging
import os
import socket
import struct
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings

from core.db import release_connection
from core.egress import egress_fetch
from core.errors import StageError
from core.limits import app_quota

logger = logging.getLogger(__name__)
MAX_LINE = 16 * 1024 * 1024 * 4 // 3 + 64 * 1024  # a base64 request body at the request cap, plus headers
CALL_THREADS = 128  # made as needed; 8 sandboxes at their share of slow calls (inference) before others wait
PER_SANDBOX_CALLS = 16
HOLDING_THREADS = 16
PER_SANDBOX_HOLDING = 4
MAX_IN_FLIGHT = 4096  # calls one connection may have open; past it a call is refused at once
PARSE_ON_LOOP = 64 * 1024  # longer lines are parsed on a pool thread, not on the loop every sandbox shares


@dataclass(frozen=True)
class Caller:
    app_sid: str
    session_id: str


def _op_fetch(caller: Caller, args: dict) -> dict:
    app_quota(caller.app_sid, "outbound_fetches")
    body = base64.b64decode(args["body"]) if args.get("body") else None
    headers = {str(k): str(v) for k, v in args.get("headers") or []}
    response = egress_fetch(
        url=str(args.get("url")),
        method=str(args.get("method") or "GET"),
        headers=headers,
        body=body,
        app=caller.app_sid,
        max_bytes=settings.STAGE_EGRESS_MAX_BYTES,
    )
    return {
        "status": response.status,
        "headers": response.headers,
        "body": base64.b64encode(response.body).decode(),
    }


OPERATIONS: dict[str, Callable[[Caller, dict], object]] = {"fetch": _op_fetch}
# op -> whether a call of it (by its args) only continues work that already holds its resources (see above)
HOLDING: dict[str, Callable[[dict], bool]] = {}


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def dispatch(caller: Caller, message: dict) -> dict:
    op = message.get("op")
    if not isinstance(op, str):
        return _error("VALIDATION_ERROR", "op is required")
    handler = OPERATIONS.get(op)
    if handler is None:
        return _error("NOT_AVAILABLE", f"Unknown bridge operation: {op}")
    try:
        return {"ok": True, "result": handler(caller, message.get("args") or {})}
    except StageError as error:
        return _error(error.code, error.message)
    except (KeyError, TypeError, ValueError) as error:
        return _error("VALIDATION_ERROR", f"Bad {op} call: {error}")


def _holds(message: dict) -> bool:
    predicate, args = HOLDING.get(message.get("op")), message.get("args")
    return predicate is not None and isinstance(args, dict) and bool(predicate(args))


def _line(call_id, reply: dict) -> bytes:
    return json.dumps(reply if call_id is None else {"id": call_id, **reply}).encode() + b"\n"


def _answer(caller: Caller, call_id, message: dict) -> bytes:
    """Run one call on a pool thread; its answer line, whatever happens."""
    try:
        return _line(call_id, dispatch(caller, message))
    except Exception:  # a bug or a database failure: the call must still be answered
        logger.exception("bridge: %s of app %s failed", message.get("op"), caller.app_sid)
        return _line(call_id, _error("INTERNAL", "The platform failed to carry out the call."))
    finally:
        release_connection()  # a pool thread lives on: give back the connection the ORM took


_PEERCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid


def peer_pid(connection: socket.socket) -> int:
    """The pid of the process at the other end of a Unix socket, as the kernel saw it connect."""
    pid, _uid, _gid = _PEERCRED.unpack(connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))
    return pid


@dataclass(frozen=True)
class _Shared:
    """The process's bridge loop and pools (made again in a forked child, which inherits neither thread)."""

    pid: int
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    calls: ThreadPoolExecutor
    holding: ThreadPoolExecutor


_shared: _Shared | None = None
_shared_lock = threading.Lock()


def _the_shared() -> _Shared:
    global _shared
    with _shared_lock:
        if _shared is None or _shared.pid != os.getpid():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="stage-bridge", daemon=True)
            thread.start()
            calls = ThreadPoolExecutor(CALL_THREADS, thread_name_prefix="bridge-call")
            holding = ThreadPoolExecutor(HOLDING_THREADS, thread_name_prefix="bridge-holding")
            _shared = _Shared(os.getpid(), loop, thread, calls, holding)
        return _shared


def _message_id(message) -> object:
    return message.get("id") if isinstance(message, dict) else None


class _Link:
    """One kept-alive connection from a sandbox: reads its calls, runs each on a pool, writes each answer."""

    def __init__(self, bridge: "BridgeServer", reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.bridge, self.reader, self.writer = bridge, reader, writer
        self.calls: set[asyncio.Task] = set()

    async def serve(self) -> None:
        while True:
            try:
                line = await self.reader.readline()
            except ValueError:  # past MAX_LINE: the rest of the stream cannot be framed, so the link ends
                await self.write(_line(None, _error("PAYLOAD_TOO_LARGE", "A bridge message exceeds its size limit.")))
                return
            except ConnectionError:
                return
            if not line.endswith(b"\n"):  # the end of the stream (a cut-off line is never run)
                return
            await self.take(line)

    async def take(self, line: bytes) -> None:
        try:
            if len(line) <= PARSE_ON_LOOP:
                message = json.loads(line)
            else:
                message = await asyncio.get_running_loop().run_in_executor(self.bridge.shared.holding, json.loads, line)
        except ValueError:
            message = None
        call_id = _message_id(message)
        if not isinstance(message, dict):
            await self.write(_line(None, _error("VALIDATION_ERROR", "Malformed bridge message.")))
        elif len(self.calls) >= MAX_IN_FLIGHT:
            await self.write(_line(call_id, _error("RATE_LIMITED", "Too many bridge calls in flight.")))
        else:
            task = asyncio.create_task(self.run(call_id, message))
            self.calls.add(task)
            task.add_done_callback(self.calls.discard)

    async def run(self, call_id, message: dict) -> None:
        bridge, shared = self.bridge, self.bridge.shared
        pool, turns = (shared.holding, bridge.holding_turns) if _holds(message) else (shared.calls, bridge.turns)
        async with turns:
            line = await shared.loop.run_in_executor(pool, _answer, bridge.caller, call_id, message)
        await self.write(line)

    async def write(self, line: bytes) -> None:
        if self.writer.is_closing():
            return  # the sandbox hung up: nothing to tell it
        self.writer.write(line)
        with contextlib.suppress(ConnectionError):
            await self.writer.drain()


async def _refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer a stranger's first call with UNAUTHORIZED and hang up."""
    with contextlib.suppress(Exception):
        line = await asyncio.wait_for(reader.readline(), 5.0)
        with contextlib.suppress(ValueError):
            line = json.loads(line)
        writer.write(_line(_message_id(line), _error("UNAUTHORIZED", "Not this bridge's sandbox.")))
        await writer.drain()
    writer.close()


class BridgeServer:
    """The bridge socket of one sandbox, served on the process's bridge loop."""

    def __init__(self, path: str, *, caller: Caller):
        self.caller = caller
        self.sandbox_session: int | None = None  # set once the sandbox is started (its pid, as it calls setsid)
        self.accepted = 0  # connections accepted from the sandbox (it keeps one alive)
        self.shared = _the_shared()
        self.turns = asyncio.Semaphore(PER_SANDBOX_CALLS)
        self.holding_turns = asyncio.Semaphore(PER_SANDBOX_HOLDING)
        self._writers: set[asyncio.StreamWriter] = set()
        self._closed = False
        serving = asyncio.start_unix_server(self._serve, path=path, limit=MAX_LINE, backlog=256)
        self._server = self._on_loop(serving)

    def _on_loop(self, coroutine, *, timeout: float = 10.0):
        future = asyncio.run_coroutine_threadsafe(coroutine, self.shared.loop)
        if threading.current_thread() is self.shared.thread:
            return None  # called from the loop itself: it runs once we return
        return future.result(timeout)

    def is_sandbox(self, pid: int) -> bool:
        """Whether a peer process belongs to this bridge's sandbox (its session, which nothing else joins)."""
        if self.sandbox_session is None or pid <= 0:
            return False
        try:
            return os.getsid(pid) == self.sandbox_session
        except OSError:  # gone already
            return False

    def _from_sandbox(self, writer: asyncio.StreamWriter) -> bool:
        try:
            return not self._closed and self.is_sandbox(peer_pid(writer.get_extra_info("socket")))
        except OSError:  # hung up already
            return False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._from_sandbox(writer):
            logger.warning("bridge: refused a connection from outside app %s's sandbox", self.caller.app_sid)
            await _refuse(reader, writer)
            return
        self.accepted += 1
        self._writers.add(writer)
        try:
            await _Link(self, reader, writer).serve()
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _hang_up(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.sleep(0)  # the transports close in the callbacks abort() scheduled

    def hang_up(self) -> None:
        """Drop the sandbox's connections (it makes a new one for its next call); keep listening."""
        self._on_loop(self._hang_up())

    async def _close(self) -> None:
        self._server.close()
        await self._hang_up()

    def close(self) -> None:
        """Stop listening and drop the connections; calls still running finish, and their answers go nowhere."""
        if not self._closed:
            self._closed = True
            with contextlib.suppress(TimeoutError):
                self._on_loop(self._close(), timeout=5.0)
