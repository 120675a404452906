"""Real services the tests need: PostgreSQL, Redis, a Celery worker.

Without STAGE_REQUIRE_SERVICES a missing service skips the test with a message naming it (a bare laptop
runs everything else on SQLite); with STAGE_REQUIRE_SERVICES=1 (CI) a missing service fails the run.
"""

import os

import pytest
from django.conf import settings
from django.db import connection

REQUIRE_SERVICES = os.environ.get("STAGE_REQUIRE_SERVICES") == "1"


def missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (STAGE_REQUIRE_SERVICES=1, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def postgres_available() -> bool:
    return connection.vendor == "postgresql"


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


CHROMIUM = os.environ.get("STAGE_CHROMIUM", "/usr/bin/chromium")


def chromium_available() -> bool:
    """Debian's chromium (installed by .ci/run) and the Playwright package that drives it."""
    import importlib.util
    import shutil

    return shutil.which(CHROMIUM) is not None and importlib.util.find_spec("playwright") is not None


def require_marked_services(item) -> None:
    if item.get_closest_marker("postgres") and not postgres_available():
        missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if (item.get_closest_marker("redis") or item.get_closest_marker("worker")) and not redis_available():
        missing("needs Redis: set REDIS_URL=redis://... and start redis-server")
    if item.get_closest_marker("browser") and not chromium_available():
        missing(f"needs headless Chromium at {CHROMIUM} (apt-get install chromium) and the playwright package")
