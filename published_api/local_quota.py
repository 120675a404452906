"""An app's backend-request quota, counted in this process and added to the shared counter in batches.

The gateway counts each request here, on the event loop, with no Redis round trip: the total it judges by is the
shared counter as last seen plus what this process counted since. A batch goes to Redis (one INCRBY, which also
brings the other processes' counts back) every FLUSH_EVERY requests or FLUSH_SECONDS, whichever comes first,
without the request waiting for it. One process is exact; across P processes an app may pass its limit by at
most P x FLUSH_EVERY requests in a window before every process sees it. When Redis is away the counts stay here
(fail open, as every quota does).
"""

import asyncio
import logging
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from django.core.cache import cache

from core.limits import Window

logger = logging.getLogger(__name__)
FLUSH_EVERY = 16
FLUSH_SECONDS = 0.1
MAX_WINDOWS = 10_000


@dataclass
class _Count:
    ends: float
    pending: int = 0  # counted here, not yet in the shared counter
    shared: int = 0  # the shared counter when last seen (this process's flushed counts included)
    flushed_at: float = 0.0
    flushing: bool = False


class LocalQuota:
    def __init__(self):
        self._counts: dict[str, _Count] = {}
        self._flushes: set[asyncio.Task] = set()

    def count(self, client: aioredis.Redis, window: Window, now: float) -> int:
        """Count one request in `window`; the total as known here, this one included."""
        entry = self._counts.get(window.key)
        if entry is None:
            entry = self._counts[window.key] = _Count(ends=window.ends, flushed_at=time.monotonic())
            if len(self._counts) > MAX_WINDOWS:
                self._forget_ended(now)
        entry.pending += 1
        moment = time.monotonic()
        due = entry.pending >= FLUSH_EVERY or moment - entry.flushed_at >= FLUSH_SECONDS
        if due and not entry.flushing:
            entry.flushing, entry.flushed_at = True, moment
            task = asyncio.get_running_loop().create_task(self._flush(client, window, entry))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)
        return entry.shared + entry.pending

    async def _flush(self, client: aioredis.Redis, window: Window, entry: _Count) -> None:
        amount, name = entry.pending, cache.make_key(window.key)
        try:
            async with client.pipeline(transaction=False) as pipeline:
                pipeline.incrby(name, amount)
                pipeline.expire(name, window.rate.period + 1)
                total, _ = await pipeline.execute()
        except Exception:  # Redis away: keep counting here
            logger.warning("Quota counter unavailable; counting %s in this process", window.key, exc_info=True)
        else:
            entry.pending -= amount
            entry.shared = max(entry.shared, total)
        finally:
            entry.flushing = False

    def _forget_ended(self, now: float) -> None:
        for key in [key for key, entry in self._counts.items() if entry.ends <= now]:
            del self._counts[key]
