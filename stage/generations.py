"""A counter per app in Redis that moves whenever what the app serves may have changed.

Deploys, promotes, rollbacks, publishes and updates (archiving included) move it once their transaction has
committed. A process that keeps what an app serves in memory (the gateway under the ASGI server) keeps it with the
counter it read first, and trusts it only while the counter has not moved: a change made on any host is seen by
every host on its next request, at the price of one Redis read that it makes anyway (with the app's quota).
"""

import logging

from django.db import transaction

from core.limits import redis_client

logger = logging.getLogger(__name__)


def generation_key(app_sid: str) -> str:
    return f"stage:app-generation:{app_sid}"


def generation_bump_on_commit(app_sid: str) -> None:
    transaction.on_commit(lambda: _bump(app_sid))


def _bump(app_sid: str) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        client.incr(generation_key(app_sid))
    except Exception:  # kept entries expire by themselves (published_api/admission.py): a lost bump only delays
        logger.warning("Could not move the served-version counter of %s", app_sid, exc_info=True)
