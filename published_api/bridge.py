"""The platform end of the sandbox bridge: one Unix socket per backend process, one JSON line per call.

Request:  {"op": "fetch", "args": {...}}
Answer:   {"ok": true, "result": {...}}  or  {"ok": false, "error": {"code": "...", "message": "..."}}

No secret travels on it, so app code has none to steal. The platform knows who is calling from the kernel:
the socket lives in that process's own directory (the only one its sandbox can reach), and every connection's
peer is checked with SO_PEERCRED to belong to the process the listener was made for (its session, as the
sandbox was started with setsid). A call therefore acts for exactly one app and session, whatever it says.
Operations: `fetch` (outbound HTTP under the egress policy); the inference and compute apps register theirs in
OPERATIONS from their AppConfig.ready().
"""

import base64
import contextlib
import json
import logging
import os
import socket
import socketserver
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from core.egress import egress_fetch
from core.errors import StageError
from core.limits import app_quota

logger = logging.getLogger(__name__)
MAX_LINE = 16 * 1024 * 1024 * 4 // 3 + 64 * 1024  # a base64 request body at the request cap, plus headers


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


def dispatch(caller: Caller, message: dict) -> dict:
    op = message.get("op")
    if not isinstance(op, str):
        return {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": "op is required"}}
    handler = OPERATIONS.get(op)
    if handler is None:
        return {"ok": False, "error": {"code": "NOT_AVAILABLE", "message": f"Unknown bridge operation: {op}"}}
    try:
        return {"ok": True, "result": handler(caller, message.get("args") or {})}
    except StageError as error:
        return {"ok": False, "error": {"code": error.code, "message": error.message}}
    except (KeyError, TypeError, ValueError) as error:
        return {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": f"Bad {op} call: {error}"}}


_PEERCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid


def peer_pid(connection: socket.socket) -> int:
    """The pid of the process at the other end of a Unix socket, as the kernel saw it connect."""
    pid, _uid, _gid = _PEERCRED.unpack(connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))
    return pid


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        with contextlib.suppress(OSError):  # the caller hung up before its answer: nothing to tell it
            self._answer(self._reply())

    def _reply(self) -> dict:
        server: BridgeServer = self.server
        if not server.is_sandbox(peer_pid(self.connection)):
            logger.warning("bridge: refused a connection from outside app %s's sandbox", server.caller.app_sid)
            return {"ok": False, "error": {"code": "UNAUTHORIZED", "message": "Not this bridge's sandbox."}}
        line = self.rfile.readline(MAX_LINE)
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise ValueError
        except ValueError:
            return {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": "Malformed bridge message."}}
        return dispatch(server.caller, message)

    def _answer(self, reply: dict) -> None:
        self.wfile.write(json.dumps(reply).encode() + b"\n")


class BridgeServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    request_queue_size = 256  # a backend may fire many calls at once (Promise.all of compute calls)

    def __init__(self, path: str, *, caller: Caller):
        self.caller = caller
        self.sandbox_session: int | None = None  # set once the sandbox is started (its pid, as it calls setsid)
        super().__init__(path, _Handler)
        self.thread = threading.Thread(target=self.serve_forever, name=f"bridge-{caller.app_sid}", daemon=True)
        self.thread.start()

    def is_sandbox(self, pid: int) -> bool:
        """Whether a peer process belongs to this bridge's sandbox (its session, which nothing else joins)."""
        if self.sandbox_session is None or pid <= 0:
            return False
        try:
            return os.getsid(pid) == self.sandbox_session
        except OSError:  # gone already
            return False

    def close(self) -> None:
        """Stop serving without waiting for the accept loop's poll interval."""
        self.server_close()
        threading.Thread(target=self.shutdown, daemon=True).start()
