"""This process's view of which apps' served versions moved, kept current by listening to GENERATIONS_CHANNEL.

One listener task per event loop subscribes to the announcements stage/generations.py publishes. Each app has a
local counter, bumped when its announcement arrives; what the gateway keeps in memory is tagged with the counter
it read before looking the target up, and trusted while the counter has not moved. While the listener is not
subscribed (starting, or Redis away), `listening()` is False and the gateway reads the shared counter per request
as before; every (re)subscription bumps every app, since announcements may have been missed meanwhile.
"""

import asyncio

from core.pubsub import listen_forever, listener_on_this_loop
from stage.generations import GENERATIONS_CHANNEL

RETRY_SECONDS = 1.0
QUIET_SECONDS = 5.0  # with no announcement for this long, a ping proves the subscription is still there


class GenerationWatch:
    def __init__(self):
        self._moves: dict[str, int] = {}
        self._epoch = 0  # bumped on every (re)subscription: all earlier tags are void
        self._subscribed = False
        self._task: asyncio.Task | None = None

    def listening(self) -> bool:
        return self._subscribed

    def tag(self, app_sid: str) -> tuple[int, int]:
        """What a kept entry for this app is tagged with; equal tags mean nothing was announced in between."""
        return self._epoch, self._moves.get(app_sid, 0)

    def moved(self, app_sid: str) -> None:
        self._moves[app_sid] = self._moves.get(app_sid, 0) + 1

    def start(self, redis_url: str) -> None:
        """Start listening on the running loop (once; again if the loop changed)."""
        task = listener_on_this_loop(self._task, lambda: self._listen(redis_url))
        if task is not self._task:
            self._subscribed, self._task = False, task

    async def _listen(self, redis_url: str) -> None:
        await listen_forever(
            redis_url,
            GENERATIONS_CHANNEL,
            on_message=self.moved,
            on_subscribed=self._subscribed_now,
            on_lost=self._lost,
            quiet_seconds=QUIET_SECONDS,
            retry_seconds=RETRY_SECONDS,
            what="served-version changes (reading the counter per request meanwhile)",
        )

    def _subscribed_now(self) -> None:
        self._epoch += 1
        self._moves.clear()
        self._subscribed = True

    def _lost(self) -> None:
        self._subscribed = False
