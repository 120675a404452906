"""The published gateway in front of each app's backend, on two origins, asynchronous.

- `ANY /stage/<appSid>/api[/<path>]` on the platform's origin (the spec's path, for API clients): answers are
  made inert there (published_api/answers.py), so nothing a backend says can act as the platform in a browser.
- `ANY /api[/<path>]` on the app's own origin (`<label>.<STAGE_APPS_DOMAIN>`, stage/origins): the same backend,
  its answers passed as written.

A request waiting on its backend holds a socket, not a worker: the views are async, and only admission (one SQL
statement, the preview check, the app's quota) runs in a thread. Each app has at most STAGE_APP_MAX_CONCURRENCY
requests in flight on this host (host slots, across every web process); beyond that it gets 429 RATE_LIMITED at
once, so one app's slow or hanging requests cannot hold what the platform and its neighbours need.

Both resolve the app and what it serves (production by default, `X-Stage-Channel: preview` for the preview
channel; a version origin serves its version), let only the owner or a preview link through to a version that
production is not serving, and forward the request with the prefix stripped and X-Stage-App / X-Stage-Session
injected. Production is public by design: the app does its own auth.
"""

from django.conf import settings
from django.utils.encoding import escape_uri_path

from core.errors import NotFound, StageError
from core.ids import is_public_id
from core.limits import RateLimited
from core.observability import current_request_id
from published_api import host_slots
from published_api.admission import admit_async
from published_api.answers import inert_answer, own_origin_answer
from published_api.bridge import Caller
from published_api.compiler import bundle_for
from published_api.forwarding import query_string, read_body, request_headers
from published_api.gateway_call import Answer, Call, error_answer
from published_api.runtimes import backend_runtime
from stage.models import Channel
from stage.origins.access import kept_private
from stage.origins.names import PREVIEW, VERSION, Origin

SLOT_KIND = "inflight"


def _channel_asked(call: Call) -> str:
    return Channel.Name.PREVIEW if call.header("x-stage-channel") == "preview" else Channel.Name.PRODUCTION


async def _forward(
    call: Call, *, app_sid: str, path: str, platform_origin: bool, channel: str | None = None, number: int | None = None
):
    if not is_public_id(app_sid):
        raise NotFound("App not found")
    cap = settings.STAGE_APP_MAX_CONCURRENCY
    slot = host_slots.try_acquire(SLOT_KIND, app_sid, cap)  # first: a request over the cap costs nothing more
    if slot is None:
        raise RateLimited(f"This app already has {cap} requests in flight on this host; retry shortly.")
    try:
        target = await admit_async(call, app_sid=app_sid, channel=channel, number=number)
        body = read_body(call)
        caller = Caller(app_sid=target.app_sid, session_id=target.session_id)
        process = await backend_runtime().process_for_async(
            slot=(target.app_sid, channel or f"v{number}"),
            key=target.cache_key,
            caller=caller,
            bundle=lambda: bundle_for(version=target.version),
        )
        query = query_string(call)
        headers = [
            *request_headers(call, platform_origin=platform_origin),
            ("x-stage-app", caller.app_sid),
            ("x-stage-session", caller.session_id),
        ]
        # the platform's request id, not a second copy of the caller's header, so backend logs can quote it
        headers = [h for h in headers if h[0].lower() != "x-request-id"] + [("x-request-id", current_request_id())]
        reply = await process.forward_async(
            method=call.method,
            path=escape_uri_path(path or "/") + (f"?{query}" if query else ""),
            headers=headers,
            body=body,
        )
    finally:
        slot.release()
    return reply, target.served.public


async def platform_answer(call: Call, app_sid: str, path: str = "") -> Answer:
    """The platform origin's path to a backend: every answer inert (the view below, and the production server's
    own handler: published_api/asgi.py)."""
    try:
        reply, public = await _forward(
            call, app_sid=app_sid, path=path, platform_origin=True, channel=_channel_asked(call)
        )
        return kept_private(inert_answer(reply), public=public)
    except StageError as error:
        return error_answer(error)


async def gateway(request, app_sid: str, path: str = ""):
    return (await platform_answer(Call.of(request), app_sid, path)).as_response()


gateway.csrf_exempt = True  # public API; the answers are inert and no platform credential passes


async def origin_gateway(request, path: str = ""):
    """`/api/*` on the app's own origin (no CSRF middleware runs there: stage.origins.middleware)."""
    origin: Origin = request.app_origin
    if request.headers.get("service-worker") == "script":
        return error_answer(NotFound("Service workers are not served on app origins.")).as_response()
    call = Call.of(request)
    if origin.kind == VERSION:
        where = {"number": origin.version}
    else:
        where = {"channel": Channel.Name.PREVIEW if origin.kind == PREVIEW else _channel_asked(call)}
    try:
        reply, public = await _forward(call, app_sid=origin.app_sid, path=path, platform_origin=False, **where)
        return kept_private(own_origin_answer(reply), public=public)
    except StageError as error:
        return error_answer(error).as_response()
