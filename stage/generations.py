"""A counter per app in Redis that moves whenever what the app serves may have changed, announced on a channel.

Deploys, promotes, rollbacks, publishes and updates (archiving included) move it once their transaction has
committed, and publish the app's sid on GENERATIONS_CHANNEL. A process that keeps what an app serves in memory
(the gateway under the ASGI server) drops it when the announcement arrives, so a change made on any host is seen
by every host on its next request with no Redis read per request; while it is not listening, it reads the
counter instead (published_api/admission.py).
"""

import logging

from django.db import transaction

from core.limits import redis_client

logger = logging.getLogger(__name__)


GENERATIONS_CHANNEL = "stage:app-generations"


def generation_key(app_sid: str) -> str:
    return f"stage:app-generation:{app_sid}"


def generation_bump_on_commit(app_sid: str) -> None:
    transaction.on_commit(lambda: _bump(app_sid))


def _bump(app_sid: str) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        with client.pipeline(transaction=False) as pipeline:
            pipeline.incr(generation_key(app_sid))
            pipeline.publish(GENERATIONS_CHANNEL, app_sid)
            pipeline.execute()
    except Exception:  # kept entries expire by themselves (published_api/admission.py): a lost bump only delays
        logger.warning("Could not move the served-version counter of %s", app_sid, exc_info=True)
