"""The gateway's admission under the ASGI server asks Redis nothing per request: it learns that an app's served
version moved from announcements, and counts the app's quota here, adding it to the shared count in batches."""

import asyncio
import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from core.limits import Rate, Window
from published_api import local_quota
from published_api.generation_watch import GenerationWatch
from stage.generations import _bump

pytestmark = pytest.mark.redis


async def _until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_an_announced_move_changes_the_apps_tag_and_no_other():
    async def scenario():
        watch = GenerationWatch()
        watch.start(settings.REDIS_URL)
        await _until(watch.listening)
        moved, still = watch.tag("app_moved"), watch.tag("app_still")
        await asyncio.to_thread(_bump, "app_moved")  # what a deploy's commit does
        await _until(lambda: watch.tag("app_moved") != moved)
        assert watch.tag("app_still") == still
        watch._task.cancel()

    asyncio.run(scenario())


def test_a_new_subscription_voids_every_tag_taken_before_it():
    async def scenario():
        watch = GenerationWatch()
        before = watch.tag("app_any")  # taken while not listening (announcements could be missed then)
        watch.start(settings.REDIS_URL)
        await _until(watch.listening)
        assert watch.tag("app_any") != before
        watch._task.cancel()

    asyncio.run(scenario())


def _window(limit: int) -> Window:
    return Window(f"test:quota:{time.time_ns()}", Rate(limit=limit, period=60), time.time() + 60)


def test_one_process_counts_exactly_and_flushes_in_batches(monkeypatch):
    monkeypatch.setattr(local_quota, "FLUSH_SECONDS", 3600)  # only the batch size triggers a flush here
    shared = redis.Redis.from_url(settings.REDIS_URL)

    async def scenario():
        import redis.asyncio as aioredis

        client, quota, window = aioredis.Redis.from_url(settings.REDIS_URL), local_quota.LocalQuota(), _window(100)
        counts = [quota.count(client, window, time.time()) for _ in range(local_quota.FLUSH_EVERY - 1)]
        await asyncio.sleep(0.05)
        assert counts == list(range(1, local_quota.FLUSH_EVERY))
        assert shared.get(cache.make_key(window.key)) is None  # nothing sent yet: no round trip per request
        quota.count(client, window, time.time())  # the batch is full: it goes to Redis, the request does not wait
        await _until(lambda: shared.get(cache.make_key(window.key)) == str(local_quota.FLUSH_EVERY).encode())
        assert 0 < shared.ttl(cache.make_key(window.key)) <= 61
        await client.aclose()

    asyncio.run(scenario())


def test_processes_see_each_others_flushed_counts_and_refuse_past_the_limit(monkeypatch):
    monkeypatch.setattr(local_quota, "FLUSH_EVERY", 1)

    async def scenario():
        import redis.asyncio as aioredis

        client, window = aioredis.Redis.from_url(settings.REDIS_URL), _window(5)
        first, second = local_quota.LocalQuota(), local_quota.LocalQuota()
        for _ in range(3):
            first.count(client, window, time.time())
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)
        # the second process's first request comes back with the first's three, once its own flush lands
        second.count(client, window, time.time())
        await asyncio.sleep(0.05)
        total = second.count(client, window, time.time())
        assert total == 5 and window.wait(total, time.time()) == 0
        assert window.wait(second.count(client, window, time.time()), time.time()) > 0  # the sixth is refused
        await client.aclose()

    asyncio.run(scenario())
