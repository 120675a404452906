"""The platform end of the sandbox bridge: one Unix socket per backend process, one JSON line per call.

Request:  {"token": "<this process's token>", "op": "fetch", "args": {...}}
Answer:   {"ok": true, "result": {...}}  or  {"ok": false, "error": {"code": "...", "message": "..."}}

The token is minted per process and the socket lives in that process's own directory, so a call acts for
exactly one app and session; the token is compared in constant time anyway (defence in depth).
Operations: `fetch` (outbound HTTP under the egress policy). `inference.*` and `compute.*` are recognised
and refused with a clear "not available yet" until their issue lands: add a handler to OPERATIONS.
"""

import base64
import hmac
import json
import logging
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from published_api.egress import egress_fetch
from stage.errors import StageError
from stage.limits import app_quota

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
NOT_YET = ("inference.", "compute.")


def dispatch(caller: Caller, message: dict) -> dict:
    op = message.get("op")
    if not isinstance(op, str):
        return {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": "op is required"}}
    handler = OPERATIONS.get(op)
    if handler is None:
        module = op.split(".", 1)[0]
        if op.startswith(NOT_YET):
            message_text = f"@stage/{module} is not available yet on this platform ({op})."
        else:
            message_text = f"Unknown bridge operation: {op}"
        return {"ok": False, "error": {"code": "NOT_AVAILABLE", "message": message_text}}
    try:
        return {"ok": True, "result": handler(caller, message.get("args") or {})}
    except StageError as error:
        return {"ok": False, "error": {"code": error.code, "message": error.message}}
    except (KeyError, TypeError, ValueError) as error:
        return {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": f"Bad {op} call: {error}"}}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline(MAX_LINE)
        server: BridgeServer = self.server
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise ValueError
        except ValueError:
            reply = {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": "Malformed bridge message."}}
        else:
            if not hmac.compare_digest(str(message.get("token", "")).encode(), server.token.encode()):
                logger.warning("bridge: bad token for app %s", server.caller.app_sid)
                reply = {"ok": False, "error": {"code": "UNAUTHORIZED", "message": "Bad bridge token."}}
            else:
                reply = dispatch(server.caller, message)
        self.wfile.write(json.dumps(reply).encode() + b"\n")


class BridgeServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    request_queue_size = 256  # a backend may fire many calls at once (Promise.all of compute calls)

    def __init__(self, path: str, *, token: str, caller: Caller):
        self.token = token
        self.caller = caller
        super().__init__(path, _Handler)
        self.thread = threading.Thread(target=self.serve_forever, name=f"bridge-{caller.app_sid}", daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving without waiting for the accept loop's poll interval."""
        self.server_close()
        threading.Thread(target=self.shutdown, daemon=True).start()
