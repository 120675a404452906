"""Whether this process is ready to serve (`GET /api/health/ready`): each part named, with what is wrong with it.

The kernel checks the database, the broker and that a worker answers; plug-ins add their own parts from their
AppConfig.ready() (`register_readiness_check`: the backend sandbox). A check returns None when its part is fine,
else a sentence saying what is wrong; one that raises counts as wrong.
"""

import logging
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import connection

from core.limits import redis_client

logger = logging.getLogger(__name__)
WORKER_TIMEOUT_SECONDS = 1.0

_checks: dict[str, Callable[[], str | None]] = {}


def register_readiness_check(name: str, check: Callable[[], str | None]) -> None:
    _checks[name] = check


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _broker() -> str | None:
    if not settings.REDIS_URL:
        return None  # the embedded profile: tasks run in the web process, no broker to reach
    client = redis_client()
    if client is None or not client.ping():
        return "Redis does not answer"
    return None


def _worker() -> str | None:
    if not settings.REDIS_URL:
        return None  # tasks run in the web process
    replies = current_app.control.ping(timeout=WORKER_TIMEOUT_SECONDS)
    if not replies:
        return f"no Celery worker answered within {WORKER_TIMEOUT_SECONDS:g} s: renders and runs stay queued"
    return None


register_readiness_check("database", _database)
register_readiness_check("broker", _broker)
register_readiness_check("worker", _worker)


def readiness() -> tuple[bool, dict[str, dict]]:
    """(all ready, {part: {"ok": bool, "detail"?: str}})."""
    parts = {}
    for name, check in _checks.items():
        try:
            problem = check()
        except Exception as exc:  # a part that cannot even be asked is not ready
            logger.warning("readiness: %s failed its check", name, exc_info=True)
            problem = f"{type(exc).__name__}: {exc}"[:300]
        parts[name] = {"ok": True} if problem is None else {"ok": False, "detail": problem}
    return all(part["ok"] for part in parts.values()), parts
