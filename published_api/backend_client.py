"""HTTP/1.1 exchanges with a backend over its Unix socket, in asyncio, parsed by h11.

Async so that a request waiting on a slow backend holds a socket, not a worker: the gateway serves every other
request meanwhile. Under the ASGI server (one event loop for the life of the process) connections are kept alive
and reused (`KeptConnections`); anywhere else (the development server and the test client run each request in an
event loop of its own) each exchange has a connection of its own. The caller sets the deadline.
"""

import asyncio
from dataclasses import dataclass

import h11

READ_BYTES = 256 * 1024
MAX_IDLE = 16


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


class _Stream:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.http = h11.Connection(h11.CLIENT, max_incomplete_event_size=64 * 1024)

    @classmethod
    async def open(cls, socket_path: str) -> "_Stream":
        return cls(*await asyncio.open_unix_connection(socket_path, limit=READ_BYTES))

    def close(self) -> None:
        self.writer.close()

    def reusable(self) -> bool:
        if self.http.our_state is h11.DONE and self.http.their_state is h11.DONE:
            self.http.start_next_cycle()
            return True
        return False


def _request_bytes(stream: _Stream, method: str, target: str, headers, body: bytes, keep_alive: bool) -> bytes:
    names = {name.lower() for name, _ in headers}
    headers = [*headers, ("content-length", str(len(body)))]
    if not keep_alive:
        headers.append(("connection", "close"))
    if "host" not in names:
        headers.append(("host", "backend"))
    http = stream.http
    return (
        http.send(h11.Request(method=method, target=target, headers=headers))
        + (http.send(h11.Data(data=body)) if body else b"")
        + http.send(h11.EndOfMessage())
    )


async def _round_trip(stream: _Stream, request: bytes, max_bytes: int) -> Reply:
    stream.writer.write(request)
    await stream.writer.drain()
    status, headers, chunks, size, http = 0, [], [], 0, stream.http
    while True:
        try:
            event = http.next_event()
        except h11.RemoteProtocolError as exc:
            raise BackendHungUp(str(exc), answered=bool(status)) from None
        if event is h11.NEED_DATA:
            http.receive_data(await stream.reader.read(READ_BYTES))
        elif isinstance(event, h11.Response):
            status = event.status_code
            headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers]
            declared = next((v for n, v in headers if n == "content-length"), "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ResponseTooLarge
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > max_bytes:
                raise ResponseTooLarge
            chunks.append(event.data)
        elif isinstance(event, h11.EndOfMessage):
            return Reply(status, headers, b"".join(chunks))
        elif isinstance(event, h11.ConnectionClosed):
            raise BackendHungUp("closed before answering", answered=bool(status))


async def exchange(
    socket_path: str, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, max_bytes: int
) -> Reply:
    """One request on a connection of its own; ResponseTooLarge past `max_bytes`."""
    stream = await _Stream.open(socket_path)
    try:
        return await _round_trip(stream, _request_bytes(stream, method, target, headers, body, False), max_bytes)
    finally:
        stream.close()


class KeptConnections:
    """Idle keep-alive connections to one backend, for one event loop."""

    def __init__(self, socket_path: str):
        self.socket_path = socket_path
        self.idle: list[_Stream] = []

    async def exchange(
        self, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, max_bytes: int
    ) -> Reply:
        """One request on a kept connection (a fresh one when none is idle, or when a kept one turns out to have
        been closed before any of the answer arrived)."""
        while True:
            reused = bool(self.idle)
            stream = self.idle.pop() if reused else await _Stream.open(self.socket_path)
            try:
                reply = await _round_trip(
                    stream, _request_bytes(stream, method, target, headers, body, True), max_bytes
                )
            except (OSError, BackendHungUp) as exc:
                stream.close()
                if reused and not getattr(exc, "answered", False):
                    continue  # the backend had closed this idle connection: try another
                raise
            except BaseException:
                stream.close()
                raise
            if len(self.idle) < MAX_IDLE and stream.reusable():
                self.idle.append(stream)
            else:
                stream.close()
            return reply
