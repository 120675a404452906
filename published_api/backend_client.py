"""HTTP/1.1 exchanges with a backend over its Unix socket, in asyncio; answers parsed by httptools (C, as uvicorn).

Async so that a request waiting on a slow backend holds a socket, not a worker: the gateway serves every other
request meanwhile. Under the ASGI server (one event loop for the life of the process) connections are kept alive
and reused (`KeptConnections`); anywhere else (the development server and the test client run each request in an
event loop of its own) each exchange has a connection of its own. The caller sets the deadline.
"""

import asyncio
import re
from dataclasses import dataclass, field

import httptools

READ_BYTES = 256 * 1024
MAX_IDLE = 16
_FORBIDDEN = re.compile("[\r\n\0]")


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class ResponseTooLarge(Exception):
    pass


class BackendHungUp(Exception):
    """The backend closed the connection, or answered something that is not HTTP."""

    def __init__(self, message: str = "", *, answered: bool = False):
        super().__init__(message)
        self.answered = answered  # whether any of an answer had arrived (then the request must not be re-sent)


@dataclass
class _Answer:
    """httptools' callbacks, collecting one response."""

    max_bytes: int
    head: bool = False  # the answer to a HEAD request: headers only, whatever they declare
    headers: list[tuple[str, str]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    started: bool = False
    complete: bool = False
    keep_alive: bool = False
    parser: "httptools.HttpResponseParser | None" = None  # set once made: asked about keep-alive while it knows

    def on_message_begin(self) -> None:
        self.started = True

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        declared = next((v for n, v in self.headers if n == "content-length"), "")
        if self.head:
            self.complete = True  # the parser would wait for the body the headers declare; the connection is not kept
            return
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ResponseTooLarge

    def on_body(self, data: bytes) -> None:
        if self.head:
            return  # a body sent after all is not the caller's
        self.size += len(data)
        if self.size > self.max_bytes:
            raise ResponseTooLarge
        self.chunks.append(data)

    def on_message_complete(self) -> None:
        self.complete = True
        # Only now: once the callback returns, the parser is reset for the next message and says False.
        self.keep_alive = self.parser.should_keep_alive()


def request_bytes(method: str, target: str, headers: list[tuple[str, str]], body: bytes, *, keep_alive: bool):
    """The request on the wire. Header names and values come from a request the server has already parsed; a CR,
    LF or NUL in any of them is refused all the same (no header may be smuggled into the backend's request)."""
    lines = [f"{method} {target} HTTP/1.1"]
    names = set()
    for name, value in headers:
        if _FORBIDDEN.search(name) or _FORBIDDEN.search(value):
            raise ValueError(f"header {name!r} holds a line break or NUL")
        names.add(name.lower())
        lines.append(f"{name}: {value}")
    if "host" not in names:
        lines.append("host: backend")
    lines.append(f"content-length: {len(body)}")
    if not keep_alive:
        lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _round_trip(reader, writer, request: bytes, max_bytes: int, *, head: bool) -> tuple[Reply, bool]:
    """Send, then read one whole answer; (reply, whether the connection may carry another request)."""
    writer.write(request)
    await writer.drain()
    answer = _Answer(max_bytes, head=head)
    parser = answer.parser = httptools.HttpResponseParser(answer)
    while not answer.complete:
        data = await reader.read(READ_BYTES)
        if not data:
            raise BackendHungUp("closed before answering", answered=answer.started)
        try:
            parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if isinstance(exc.__cause__, ResponseTooLarge) or isinstance(exc.__context__, ResponseTooLarge):
                raise ResponseTooLarge from None
            raise BackendHungUp(f"not HTTP: {exc}", answered=True) from None
    reply = Reply(parser.get_status_code(), answer.headers, b"".join(answer.chunks))
    return reply, answer.keep_alive


async def exchange(
    socket_path: str, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, max_bytes: int
) -> Reply:
    """One request on a connection of its own; ResponseTooLarge past `max_bytes`."""
    reader, writer = await asyncio.open_unix_connection(socket_path, limit=READ_BYTES)
    try:
        request = request_bytes(method, target, headers, body, keep_alive=False)
        return (await _round_trip(reader, writer, request, max_bytes, head=method == "HEAD"))[0]
    finally:
        writer.close()


class KeptConnections:
    """Idle keep-alive connections to one backend, for one event loop."""

    def __init__(self, socket_path: str):
        self.socket_path = socket_path
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def exchange(
        self, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, max_bytes: int
    ) -> Reply:
        """One request on a kept connection (a fresh one when none is idle, or when a kept one turns out to have
        been closed before any of the answer arrived)."""
        request = request_bytes(method, target, headers, body, keep_alive=True)
        while True:
            reused = bool(self.idle)
            if reused:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_unix_connection(self.socket_path, limit=READ_BYTES)
            try:
                reply, keep = await _round_trip(reader, writer, request, max_bytes, head=method == "HEAD")
            except (OSError, BackendHungUp) as exc:
                writer.close()
                if reused and not getattr(exc, "answered", False):
                    continue  # the backend had closed this idle connection: try another
                raise
            except BaseException:
                writer.close()
                raise
            if keep and len(self.idle) < MAX_IDLE:
                self.idle.append((reader, writer))
            else:
                writer.close()
            return reply
