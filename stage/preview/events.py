"""The preview page's event stream, `GET /s/<id>/events` (Server-Sent Events): the page's state (the latest
render, the ready version on screen, the live revision) at once, then again whenever it changes, so a new render
or a live change reaches an open preview without polling.

Under the ASGI server (`make serve`) the stream is asynchronous (`asgi_preview_events`, routed by config/asgi.py):
it holds a socket, not a thread. One listener per process hears the announcements of stage/changes.py and wakes
the streams of that session, which read the new state in a thread and send it; while the announcements cannot be
heard the streams read the state every FALLBACK_SECONDS. Streams are capped per process and per session (429),
end after MAX_SECONDS (the browser's EventSource reconnects by itself) and send a comment every HEARTBEAT_SECONDS
so proxies keep them open. Under the development server and the test server (WSGI) `preview_events` does the same
by reading the state on a short timer in its own thread.
"""

import asyncio
import json
import re
import time
from http import HTTPStatus

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from core.api.envelope import error_body, json_error_response
from core.db import releasing_connection
from core.pubsub import listen_forever, listener_on_this_loop
from stage.changes import PREVIEW_CHANNEL
from stage.preview.state import preview_state_of
from stage.renders.selectors import preview_session

HEARTBEAT_SECONDS = 15.0
MAX_SECONDS = 300.0
FALLBACK_SECONDS = 1.0
DEVELOPMENT_TICK_SECONDS = 0.1
DEVELOPMENT_HEARTBEAT_SECONDS = 1.0
DEVELOPMENT_MAX_SECONDS = 60.0
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
PATH = re.compile(r"^/s/(?P<session_id>[A-Za-z0-9_-]{1,64})/events$")


def _event(state: dict) -> bytes:
    return b"event: state\ndata: " + json.dumps(state, separators=(",", ":")).encode() + b"\n\n"


HEARTBEAT = b": still here\n\n"


@require_GET
def preview_events(request, session_id: str):
    """The stream for the WSGI servers: its own thread, reading the state every DEVELOPMENT_TICK_SECONDS."""
    session = preview_session(public_id=session_id)
    if session is None:
        return json_error_response(HTTPStatus.NOT_FOUND, "NOT_FOUND", "Session not found")

    def stream():
        # a comment every DEVELOPMENT_HEARTBEAT_SECONDS: writing to a viewer that has gone ends the stream (and this
        # thread's polling) at once; and it ends after DEVELOPMENT_MAX_SECONDS whatever happens (EventSource reconnects)
        last, started, beat = None, time.monotonic(), time.monotonic()
        while time.monotonic() - started < DEVELOPMENT_MAX_SECONDS:
            state = preview_state_of(session)
            if state != last:
                last, beat = state, time.monotonic()
                yield _event(state)
            elif time.monotonic() - beat > DEVELOPMENT_HEARTBEAT_SECONDS:
                beat = time.monotonic()
                yield HEARTBEAT
            time.sleep(DEVELOPMENT_TICK_SECONDS)

    return StreamingHttpResponse(stream(), content_type="text/event-stream", headers=HEADERS)


class PreviewHub:
    """This process's one subscription to the announcements, waking the streams of the session named."""

    def __init__(self):
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task | None = None
        self.listening = False

    def streams(self, session_id: str | None = None) -> int:
        if session_id is not None:
            return len(self._waiting.get(session_id, ()))
        return sum(len(events) for events in self._waiting.values())

    def join(self, session_id: str) -> asyncio.Event:
        self._start()
        event = asyncio.Event()
        self._waiting.setdefault(session_id, set()).add(event)
        return event

    def leave(self, session_id: str, event: asyncio.Event) -> None:
        events = self._waiting.get(session_id)
        if events is not None:
            events.discard(event)
            if not events:
                del self._waiting[session_id]

    def _start(self) -> None:
        if not settings.REDIS_URL:
            return
        self._task = listener_on_this_loop(self._task, lambda: self._listen(settings.REDIS_URL))

    async def _listen(self, redis_url: str) -> None:
        await listen_forever(
            redis_url,
            PREVIEW_CHANNEL,
            on_message=self._wake,
            on_subscribed=self._subscribed_now,
            on_lost=self._lost,
            quiet_seconds=HEARTBEAT_SECONDS,
            retry_seconds=FALLBACK_SECONDS,
            what="preview announcements (open previews read their state on a timer meanwhile)",
        )

    def _subscribed_now(self) -> None:
        self.listening = True
        self._wake_all()  # announcements may have been missed while not subscribed

    def _lost(self) -> None:
        self.listening = False

    def _wake(self, session_id: str) -> None:
        for event in self._waiting.get(session_id, ()):
            event.set()

    def _wake_all(self) -> None:
        for events in self._waiting.values():
            for event in events:
                event.set()


hub = PreviewHub()
_state = sync_to_async(releasing_connection(preview_state_of), thread_sensitive=False)
_session = sync_to_async(
    releasing_connection(lambda public_id: preview_session(public_id=public_id)), thread_sensitive=False
)


async def _refuse(send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def asgi_preview_events(scope, receive, send) -> None:
    """The stream under the ASGI server: a socket per viewer, woken by announcements."""
    session_id = PATH.match(scope["path"])["session_id"]
    if scope["method"] not in ("GET", "HEAD"):
        return await _refuse(send, HTTPStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Use GET.")
    session = await _session(session_id)
    if session is None:
        return await _refuse(send, HTTPStatus.NOT_FOUND, "NOT_FOUND", "Session not found")
    if (
        hub.streams() >= settings.STAGE_PREVIEW_MAX_STREAMS
        or hub.streams(session_id) >= settings.STAGE_PREVIEW_MAX_STREAMS_PER_SESSION
    ):
        return await _refuse(
            send, HTTPStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", "Too many open previews; retry shortly."
        )
    wake = hub.join(session_id)
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        headers = [(b"content-type", b"text/event-stream")] + [
            (k.lower().encode(), v.encode()) for k, v in HEADERS.items()
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        last, started = None, time.monotonic()
        while not gone.done() and time.monotonic() - started < MAX_SECONDS:
            wake.clear()
            state = await _state(session)
            if state != last:
                last = state
                await send({"type": "http.response.body", "body": _event(state), "more_body": True})
            waited = asyncio.ensure_future(wake.wait())
            timeout = HEARTBEAT_SECONDS if hub.listening else FALLBACK_SECONDS
            done, _ = await asyncio.wait({waited, gone}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            waited.cancel()
            if not done and hub.listening:
                await send({"type": "http.response.body", "body": HEARTBEAT, "more_body": True})
        if not gone.done():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:
        pass  # the viewer went away mid-send
    finally:
        hub.leave(session_id, wake)
        gone.cancel()


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def is_preview_events(path: str) -> bool:
    return PATH.match(path) is not None
