"""A real HTTP server on 127.0.0.1 that answers from a script: a stand-in for a proxy or an overloaded gateway."""

import json
import time

from tests.support.loopback import LoopbackServer, QuietHandler


class ScriptedServer(LoopbackServer):
    """Answers each request with the next (status, headers, body, delay) and records what it received."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests: list[dict] = []
        server = self

        class Handler(QuietHandler):
            def _answer(self):
                body = self.read_body()
                server.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(body) if body else None,
                    }
                )
                status, headers, payload, delay = server.answers.pop(0) if server.answers else (500, {}, "", 0)
                if delay:
                    time.sleep(delay)
                data = (
                    payload
                    if isinstance(payload, bytes)
                    else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
                )
                self.respond(status, data, headers)

            do_GET = do_POST = do_PUT = do_PATCH = _answer

        super().__init__(Handler)
        self.url = self.origin


JSON = {"Content-Type": "application/json"}


def ok(data, status=200, delay=0):
    return (status, JSON, {"success": True, "data": data}, delay)


def error(status, code, message, headers=None):
    return (status, {**JSON, **(headers or {})}, {"success": False, "error": {"code": code, "message": message}}, 0)
