"""The gateway's HTTP client to a backend's Unix socket: connections are kept only while the backend keeps them."""

import asyncio
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from published_api.backend_client import KeptConnections


class _Handler(BaseHTTPRequestHandler):
    def setup(self):
        super().setup()
        self.server.connections += 1

    def do_GET(self):
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):  # the headers a GET would have, its length included, and no body
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", "15")
        self.end_headers()

    def log_message(self, *args):
        pass


class _Backend(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    connections = 0


@pytest.fixture(params=["HTTP/1.1", "HTTP/1.0"])
def backend(request, tmp_path):
    handler = type("Handler", (_Handler,), {"protocol_version": request.param})
    server = _Backend(str(tmp_path / "serve.sock"), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, request.param
    server.shutdown()
    server.server_close()


def test_a_connection_is_kept_for_the_next_request_only_when_the_backend_keeps_it(backend):
    server, protocol = backend

    async def three_requests():
        kept = KeptConnections(server.server_address)
        for _ in range(3):
            reply = await kept.exchange(method="GET", target="/health", headers=[], body=b"", max_bytes=1 << 20)
            assert (reply.status, reply.body) == (200, b'{"status":"ok"}')
        return len(kept.idle)

    idle = asyncio.run(three_requests())
    if protocol == "HTTP/1.1":  # keep-alive by default: one connection carries all three
        assert (server.connections, idle) == (1, 1)
    else:  # HTTP/1.0 closes after each answer: a connection each, none kept
        assert (server.connections, idle) == (3, 0)


def test_the_answer_to_a_head_is_its_headers_though_they_declare_a_length(backend):
    server, _ = backend

    async def head_then_get():
        kept = KeptConnections(server.server_address)
        head = await asyncio.wait_for(
            kept.exchange(method="HEAD", target="/", headers=[], body=b"", max_bytes=1 << 20), timeout=5
        )
        get = await kept.exchange(method="GET", target="/health", headers=[], body=b"", max_bytes=1 << 20)
        return head, get

    head, get = asyncio.run(head_then_get())
    assert (head.status, head.body, dict(head.headers)["content-length"]) == (200, b"", "15")
    assert get.body == b'{"status":"ok"}'  # the HEAD's connection was not reused for it
