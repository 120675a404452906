"""One HTTP/1.1 exchange with a backend over its Unix socket, in asyncio, parsed by h11.

Async so that a request waiting on a slow backend holds a socket, not a worker: the gateway serves every other
request meanwhile. One connection per exchange (`Connection: close`), so nothing is bound to one event loop (the
development server and the test client run each request in a loop of its own). The caller sets the deadline.
"""

import asyncio
from dataclasses import dataclass

import h11

READ_BYTES = 256 * 1024


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class ResponseTooLarge(Exception):
    pass


class BackendHungUp(Exception):
    """The backend closed the connection, or answered something that is not HTTP."""


def _request_bytes(conn: h11.Connection, method: str, target: str, headers: list[tuple[str, str]], body: bytes):
    names = {name.lower() for name, _ in headers}
    headers = [*headers, ("content-length", str(len(body))), ("connection", "close")]
    if "host" not in names:
        headers.append(("host", "backend"))
    return (
        conn.send(h11.Request(method=method, target=target, headers=headers))
        + (conn.send(h11.Data(data=body)) if body else b"")
        + conn.send(h11.EndOfMessage())
    )


async def exchange(
    socket_path: str, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, max_bytes: int
) -> Reply:
    """Send one request and read the whole answer; ResponseTooLarge past `max_bytes`."""
    reader, writer = await asyncio.open_unix_connection(socket_path, limit=READ_BYTES)
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=64 * 1024)
    try:
        writer.write(_request_bytes(conn, method, target, headers, body))
        await writer.drain()
        status, answer_headers, chunks, size = 0, [], [], 0
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise BackendHungUp(str(exc)) from None
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(READ_BYTES))
            elif isinstance(event, h11.Response):
                status = event.status_code
                answer_headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers]
                declared = next((v for n, v in answer_headers if n == "content-length"), "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ResponseTooLarge
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > max_bytes:
                    raise ResponseTooLarge
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return Reply(status, answer_headers, b"".join(chunks))
            elif isinstance(event, h11.ConnectionClosed):
                raise BackendHungUp("closed before answering")
    finally:
        writer.close()
