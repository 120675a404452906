"""Admitting a request to an app's backend: what it reaches, whether the caller may see it, the app's quota.

`admit` is the plain way: one SQL statement (stage/selectors/served.py), the preview check, the quota in the
shared cache. Under the ASGI server, `admit_async` does the same with no database work and no Redis round trip
on most requests: the quota is counted in this process and flushed in batches (published_api/local_quota.py),
and what the app serves is taken from this process's memory until an announcement says it moved
(published_api/generation_watch.py; for STAGE_GATEWAY_KEEP_SECONDS at most, in case one was lost). While the
announcements are not being received, the app's generation counter is read per request instead. Anything amiss
with Redis falls back to the plain way.
"""

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from django.conf import settings

from core.limits import app_quota, app_quota_name, app_window, limit_reached
from published_api.gateway_call import Call
from published_api.generation_watch import GenerationWatch
from published_api.local_quota import LocalQuota
from published_api.selectors import BackendTarget, backend_target
from published_api.threads import ON_SERVER_POOLS, in_thread
from stage.generations import generation_key
from stage.origins.access import preview_caller_check

logger = logging.getLogger(__name__)
QUOTA = "backend_requests"
MAX_KEPT = 10_000


@dataclass(frozen=True)
class _Kept:
    target: BackendTarget
    generation: object  # the watch's tag, or the shared counter's value when not listening
    until: float


_kept: dict[tuple, _Kept] = {}
_clients: dict[asyncio.AbstractEventLoop, aioredis.Redis] = {}
_watch = GenerationWatch()
_quota = LocalQuota()


def admit(request, *, app_sid: str, channel: str | None, number: int | None) -> BackendTarget:
    target = backend_target(app_sid=app_sid, channel=channel, number=number)
    if not target.served.public:
        preview_caller_check(request, app_sid=target.app_sid, author_id=target.served.author_id)
    app_quota(target.app_sid, QUOTA)
    return target


def _client() -> aioredis.Redis | None:
    if not settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    if loop not in _clients:
        _clients.clear()  # one event loop per server process: a new loop means the old one is gone
        _clients[loop] = aioredis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    return _clients[loop]


async def _generation(client: aioredis.Redis, app_sid: str) -> bytes | None:
    generation = await client.get(generation_key(app_sid))
    if generation is None:  # the first request since Redis (re)started: start the counter somewhere new
        await client.set(generation_key(app_sid), secrets.randbits(48), nx=True)
    return generation


async def _target(client: aioredis.Redis, *, app_sid: str, channel: str | None, number: int | None) -> BackendTarget:
    """What the app serves, from this process's memory while nothing says it moved: the announcements when
    listening to them, else the shared counter read now."""
    key, moment = (app_sid, channel, number), time.monotonic()
    if _watch.listening():
        tag = _watch.tag(app_sid)
    else:
        tag = await _generation(client, app_sid)
    kept = _kept.get(key)
    if kept is not None and tag is not None and kept.generation == tag and kept.until > moment:
        return kept.target
    target = await in_thread("admission", backend_target, app_sid=app_sid, channel=channel, number=number)
    if tag is not None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = _Kept(target, tag, moment + settings.STAGE_GATEWAY_KEEP_SECONDS)
    return target


async def admit_async(call: Call, *, app_sid: str, channel: str | None, number: int | None) -> BackendTarget:
    """`admit`, for the gateway's async path; the Django request is built only if a check needs it."""
    client = _client() if ON_SERVER_POOLS.get() else None
    if client is None:
        request = call.django_request
        return await in_thread("admission", admit, request, app_sid=app_sid, channel=channel, number=number)
    _watch.start(settings.REDIS_URL)
    now = time.time()
    quota = app_window(app_sid, QUOTA, now)
    if quota is not None and (wait := quota.wait(_quota.count(client, quota, now), now)):
        raise limit_reached(app_quota_name(QUOTA), wait)
    try:
        target = await _target(client, app_sid=app_sid, channel=channel, number=number)
    except Exception:  # Redis away: the plain way (whose quota fails open, as everywhere)
        logger.warning("Redis unavailable to the gateway; admitting %s the plain way", app_sid, exc_info=True)
        request = call.django_request
        return await in_thread("admission", admit, request, app_sid=app_sid, channel=channel, number=number)
    if not target.served.public:
        author, request = target.served.author_id, call.django_request
        await in_thread("admission", preview_caller_check, request, app_sid=target.app_sid, author_id=author)
    return target
