"""Fixed-window counters on the shared cache: per-key API rate limits and per-app quotas.

One atomic `incr` per hit, so every web process and worker sharing Redis counts against the same window.
A cache outage fails open (logged): rate limiting must never take the API down with it.
"""

import functools
import logging
import time
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient

from core.errors import StageError

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(StageError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "RATE_LIMITED"
    default_message = "Too many requests; retry later."

    def __init__(self, message: str | None = None, *, retry_after: int = 1):
        super().__init__(message, details={"retryAfter": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int


@functools.lru_cache(maxsize=256)
def parse_rate(value: str | None) -> Rate | None:
    """`600/min`, `10/s`, `1000/hour`, `5000/day`; empty, `0` or `off` means no limit. (Read on every request:
    each setting's few values are parsed once.)"""
    value = (value or "").strip().lower()
    if value in {"", "0", "off", "none"}:
        return None
    number, _, unit = value.partition("/")
    unit = unit.strip() or "m"
    if not number.strip().isdigit() or unit[0] not in _PERIODS:
        raise ValueError(f"Invalid rate {value!r}: expected <count>/<s|min|hour|day>.")
    return Rate(limit=int(number), period=_PERIODS[unit[0]]) if int(number) else None


@dataclass(frozen=True)
class Window:
    """The fixed window a hit counts in: its counter's cache key, and when it ends."""

    key: str
    rate: Rate
    ends: float

    def wait(self, count: int, now: float) -> int:
        """0 when `count` is within the rate, else whole seconds until the window ends."""
        return 0 if count <= self.rate.limit else max(1, int(self.ends - now + 0.999))


def window(bucket: str, rate: Rate, now: float) -> Window:
    number = int(now // rate.period)
    return Window(f"stage:limit:{bucket}:{rate.period}:{number}", rate, (number + 1) * rate.period)


def hit(bucket: str, rate: Rate | None, *, cost: int = 1, now: float | None = None) -> int:
    """Count `cost` against `bucket`'s current window; 0 when allowed, else seconds until the window ends."""
    if rate is None:
        return 0
    now = time.time() if now is None else now
    current = window(bucket, rate, now)
    try:
        count = _count(current.key, cost, timeout=rate.period + 1)
    except Exception:  # a cache outage must not become an API outage
        logger.warning("Rate-limit cache unavailable; allowing %s", bucket, exc_info=True)
        return 0
    return current.wait(count, now)


def _count(key: str, cost: int, *, timeout: int) -> int:
    """Add `cost` to a window's counter and return the total: on Redis one INCRBY (and an expiry when it made the
    key: the window's name changes every period, so a key that missed its expiry only waits for Redis's memory
    policy), the cache API's add-then-incr elsewhere."""
    client = redis_client()
    if client is None:
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key, cost)
    name = cache.make_key(key)
    count = client.incrby(name, cost)
    if count == cost:
        client.expire(name, timeout)
    return count


def redis_client():
    """The shared cache's Redis client, when the cache is Redis (None in the embedded, in-process mode)."""
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if isinstance(backend, RedisCacheClient) else None


def app_window(app_sid: str, kind: str, now: float) -> Window | None:
    """The window an app's quota of this kind counts in now (None when the quota is off), for callers that count
    on Redis themselves (the gateway's asynchronous path)."""
    rate = parse_rate(settings.STAGE_APP_LIMITS.get(kind))
    return None if rate is None else window(f"app:{app_sid}:{kind}", rate, now)


def limit_reached(what: str, wait: int) -> RateLimited:
    return RateLimited(f"{what} limit is reached; retry in {wait} s.", retry_after=wait)


def _charge(bucket: str, rate_setting: str | None, what: str, *, cost: int = 1) -> None:
    wait = hit(bucket, parse_rate(rate_setting), cost=cost)
    if wait:
        raise limit_reached(what, wait)


def app_quota(app_sid: str, kind: str, *, cost: int = 1) -> None:
    """Charge one of an app's quotas (settings `STAGE_APP_LIMITS[kind]`); RateLimited when it is spent."""
    _charge(f"app:{app_sid}:{kind}", settings.STAGE_APP_LIMITS.get(kind), app_quota_name(kind), cost=cost)


def app_quota_name(kind: str) -> str:
    return f"This app's {kind.replace('_', ' ')}"


def session_quota(session_id: str, kind: str) -> None:
    """Charge one of a session's quotas (settings `STAGE_SESSION_LIMITS[kind]`), for what anyone holding its id
    may call, such as the preview's error reports; RateLimited when it is spent."""
    what = f"This session's {kind.replace('_', ' ')}"
    _charge(f"session:{session_id}:{kind}", settings.STAGE_SESSION_LIMITS.get(kind), what)


def app_charge(app_sid: str, kind: str, *, cost: int) -> None:
    """Count usage known only afterwards (inference tokens): it can refuse the app's next call, never this one."""
    if cost > 0:
        hit(f"app:{app_sid}:{kind}", parse_rate(settings.STAGE_APP_LIMITS.get(kind)), cost=cost)
