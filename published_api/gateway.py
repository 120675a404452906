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
from django.http import JsonResponse
from django.utils.encoding import escape_uri_path

from core.api.envelope import error_body
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
from published_api.runtime import supervisor
from stage.models import Channel
from stage.origins.access import kept_private
from stage.origins.names import PREVIEW, VERSION, Origin

SLOT_KIND = "inflight"


def _channel_asked(request) -> str:
    return Channel.Name.PREVIEW if request.headers.get("x-stage-channel") == "preview" else Channel.Name.PRODUCTION


def _error(error: StageError) -> JsonResponse:
    retry = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else None
    return JsonResponse(
        error_body(error.code, error.message, error.details), status=int(error.status_code), headers=retry
    )


async def _forward(
    request, *, app_sid: str, path: str, platform_origin: bool, channel: str | None = None, number: int | None = None
):
    if not is_public_id(app_sid):
        raise NotFound("App not found")
    cap = settings.STAGE_APP_MAX_CONCURRENCY
    slot = host_slots.try_acquire(SLOT_KIND, app_sid, cap)  # first: a request over the cap costs nothing more
    if slot is None:
        raise RateLimited(f"This app already has {cap} requests in flight on this host; retry shortly.")
    try:
        target = await admit_async(request, app_sid=app_sid, channel=channel, number=number)
        body = read_body(request)
        caller = Caller(app_sid=target.app_sid, session_id=target.session_id)
        process = await supervisor.process_for_async(
            slot=(target.app_sid, channel or f"v{number}"),
            key=target.cache_key,
            caller=caller,
            bundle=lambda: bundle_for(version=target.version),
        )
        query = query_string(request)
        headers = [
            *request_headers(request, platform_origin=platform_origin),
            ("x-stage-app", caller.app_sid),
            ("x-stage-session", caller.session_id),
        ]
        # the platform's request id, not a second copy of the caller's header, so backend logs can quote it
        headers = [h for h in headers if h[0].lower() != "x-request-id"] + [("x-request-id", current_request_id())]
        reply = await process.forward_async(
            method=request.method,
            path=escape_uri_path(path or "/") + (f"?{query}" if query else ""),
            headers=headers,
            body=body,
        )
    finally:
        slot.release()
    return reply, target.served.public


def _answered(answer, reply_and_public):
    reply, public = reply_and_public
    return kept_private(answer(reply), public=public)


async def gateway(request, app_sid: str, path: str = ""):
    """The platform origin's path to a backend: every answer inert."""
    try:
        forwarded = await _forward(
            request, app_sid=app_sid, path=path, platform_origin=True, channel=_channel_asked(request)
        )
        return _answered(inert_answer, forwarded)
    except StageError as error:
        return _error(error)


gateway.csrf_exempt = True  # public API; the answers are inert and no platform credential passes


async def origin_gateway(request, path: str = ""):
    """`/api/*` on the app's own origin (no CSRF middleware runs there: stage.origins.middleware)."""
    origin: Origin = request.app_origin
    if request.headers.get("service-worker") == "script":
        return _error(NotFound("Service workers are not served on app origins."))
    if origin.kind == VERSION:
        where = {"number": origin.version}
    else:
        where = {"channel": Channel.Name.PREVIEW if origin.kind == PREVIEW else _channel_asked(request)}
    try:
        forwarded = await _forward(request, app_sid=origin.app_sid, path=path, platform_origin=False, **where)
        return _answered(own_origin_answer, forwarded)
    except StageError as error:
        return _error(error)
