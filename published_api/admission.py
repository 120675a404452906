"""Admitting a request to an app's backend: what it reaches, whether the caller may see it, the app's quota.

`admit` is the plain way: one SQL statement (stage/selectors/served.py), the preview check, the quota in the
shared cache. Under the ASGI server, `admit_async` does the same with no database work on most requests: one
Redis round trip reads the app's generation counter (stage/generations.py) and counts its quota, and what the app
serves is taken from this process's memory while that counter has not moved (and for STAGE_GATEWAY_KEEP_SECONDS
at most, in case a move was lost). Anything amiss with Redis falls back to the plain way.
"""

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from django.conf import settings
from django.core.cache import cache

from core.limits import app_quota, app_quota_name, app_window, limit_reached
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
    generation: bytes
    until: float


_kept: dict[tuple, _Kept] = {}
_clients: dict[asyncio.AbstractEventLoop, aioredis.Redis] = {}


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


async def _generation_and_count(client: aioredis.Redis, app_sid: str, quota) -> tuple[bytes | None, int]:
    async with client.pipeline(transaction=False) as pipeline:
        pipeline.get(generation_key(app_sid))
        if quota is not None:
            pipeline.incrby(cache.make_key(quota.key), 1)
        results = await pipeline.execute()
    if results[0] is None:  # the first request since Redis (re)started: start the counter somewhere new
        await client.set(generation_key(app_sid), secrets.randbits(48), nx=True)
    count = results[1] if quota is not None else 0
    if count == 1:
        await client.expire(cache.make_key(quota.key), quota.rate.period + 1)
    return results[0], count


async def admit_async(request, *, app_sid: str, channel: str | None, number: int | None) -> BackendTarget:
    client = _client() if ON_SERVER_POOLS.get() else None
    if client is None:
        return await in_thread("admission", admit, request, app_sid=app_sid, channel=channel, number=number)
    now = time.time()
    quota = app_window(app_sid, QUOTA, now)
    try:
        generation, count = await _generation_and_count(client, app_sid, quota)
    except Exception:  # Redis away: the plain way (whose quota fails open, as everywhere)
        logger.warning("Redis unavailable to the gateway; admitting %s the plain way", app_sid, exc_info=True)
        return await in_thread("admission", admit, request, app_sid=app_sid, channel=channel, number=number)
    if quota is not None and (wait := quota.wait(count, now)):
        raise limit_reached(app_quota_name(QUOTA), wait)
    key, moment = (app_sid, channel, number), time.monotonic()
    kept = _kept.get(key)
    if kept is not None and generation is not None and kept.generation == generation and kept.until > moment:
        target = kept.target
    else:
        target = await in_thread("admission", backend_target, app_sid=app_sid, channel=channel, number=number)
        if generation is not None:
            if len(_kept) >= MAX_KEPT:
                _kept.clear()
            _kept[key] = _Kept(target, generation, moment + settings.STAGE_GATEWAY_KEEP_SECONDS)
    if not target.served.public:
        author = target.served.author_id
        await in_thread("admission", preview_caller_check, request, app_sid=target.app_sid, author_id=author)
    return target
