"""Local HTTP servers for tests: a threaded server on 127.0.0.1 and a free port, run as a context manager.

Each stand-in (Google, OpenAI, webhook receivers, a scripted gateway) brings its own handler; starting, stopping
and writing an answer are the same for all of them.
"""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that does not log to stderr, with the two halves every stand-in needs."""

    def log_message(self, *args):
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def respond(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up: nothing to answer
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    # The standard library's listen backlog is 5: a burst of connections past it (a test's hundred concurrent
    # calls) waits out the kernel's SYN retransmits (1 s, then 3 s), which times out what the test measures.
    request_queue_size = 256


class LoopbackServer:
    def __init__(self, handler_class: type[BaseHTTPRequestHandler]):
        self.httpd = _Server(("127.0.0.1", 0), handler_class)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.port}"
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
