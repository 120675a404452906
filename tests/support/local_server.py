"""A real HTTP server on 127.0.0.1 for outbound-call tests: routes answer by path, every request is recorded."""

import time

from tests.support.loopback import LoopbackServer, QuietHandler


class _Handler(QuietHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        body = self.read_body()
        server = self.server
        server.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
        route = server.routes.get(self.path.split("?")[0], (404, {}, b"no route"))
        if callable(route):
            route = route(len(server.requests))
        status, headers, payload = route
        if isinstance(payload, float):  # a delay before answering
            time.sleep(payload)
            payload = b"late"
        self.respond(status, payload, headers)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


class LocalServer(LoopbackServer):
    def __init__(self):
        super().__init__(_Handler)
        self.httpd.routes = {}
        self.httpd.requests = []

    @property
    def routes(self) -> dict:
        return self.httpd.routes

    @property
    def requests(self) -> list:
        return self.httpd.requests

    def url(self, path: str = "/") -> str:
        return f"{self.origin}{path}"
