"""Listening to a Redis channel for as long as the event loop runs: subscribe, relay each message, prove a quiet
connection alive with a ping, and subscribe again after any failure. Used by each process's listeners (what
apps serve, published_api/generation_watch.py; what previews show, stage/preview/events.py)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

logger = logging.getLogger(__name__)


def listener_on_this_loop(task: asyncio.Task | None, listen: Callable[[], Awaitable[None]]) -> asyncio.Task:
    """The listening task for the running loop: `task` while it runs there, else `listen()` started anew (a new
    loop means the old one, and its task, are gone)."""
    loop = asyncio.get_running_loop()
    if task is None or task.done() or task.get_loop() is not loop:
        return loop.create_task(listen())
    return task


async def listen_forever(
    redis_url: str,
    channel: str,
    *,
    on_message: Callable[[str], None],
    on_subscribed: Callable[[], None],
    on_lost: Callable[[], None],
    quiet_seconds: float,
    retry_seconds: float,
    what: str,
) -> None:
    """Call `on_subscribed` each time the subscription is (re)made (messages may have been missed before it),
    `on_message(data)` for each message, and `on_lost` when the subscription goes; never returns."""
    client = aioredis.Redis.from_url(redis_url, socket_timeout=2 * quiet_seconds, socket_connect_timeout=1)
    while True:
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel)
                on_subscribed()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=quiet_seconds)
                    if message is None:
                        await pubsub.ping()  # a connection that died quietly raises here
                    elif message["type"] == "message":
                        on_message(message["data"].decode())
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("Not listening for %s", what)
        finally:
            on_lost()
        await asyncio.sleep(retry_seconds)
