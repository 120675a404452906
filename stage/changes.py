"""Announcements that a session's preview has something new to show: a render was requested, built or failed, a
runtime error was recorded or cleared, the live state (kv, live data, messages) changed.

Published on PREVIEW_CHANNEL (the session's public id) once the transaction that made the change has committed;
open previews hear it through their event stream (stage/preview/events.py) and fetch the new state at once.
Best-effort: without Redis, or when it is away, the event stream reads the state on a short timer instead.
"""

import logging

from django.db import transaction

from core.limits import redis_client

logger = logging.getLogger(__name__)

PREVIEW_CHANNEL = "stage:preview-changes"


def preview_changed_on_commit(session_public_id: str) -> None:
    transaction.on_commit(lambda: _announce(session_public_id))


def _announce(session_public_id: str) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        client.publish(PREVIEW_CHANNEL, session_public_id)
    except Exception:  # an open preview still catches up on its timer
        logger.warning("Could not announce a change to the preview of %s", session_public_id, exc_info=True)
