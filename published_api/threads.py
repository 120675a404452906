"""Where the gateway's blocking work runs, and what it does with its database connection.

Under the ASGI server (published_api/asgi.py) on bounded pools of long-lived threads of its own: admission (one
SQL statement, the preview check, the app's quota) on STAGE_GATEWAY_THREADS threads, each keeping its pooled
connection (and the statement PostgreSQL has prepared on it) from one request to the next; starting a backend
(compile, spawn) on a few more, so that a backend starting up never holds up another app's admission. Anywhere
else (the development server, the test client) on the request's own thread, as Django runs any synchronous code
there, giving the connection back at once (the request may wait long on its backend afterwards).
"""

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from core.db import releasing_connection

ON_SERVER_POOLS: contextvars.ContextVar[bool] = contextvars.ContextVar("stage_gateway_pools", default=False)


@functools.cache
def _pool(kind: str) -> ThreadPoolExecutor:
    size = settings.STAGE_GATEWAY_THREADS if kind == "admission" else 4
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"gateway-{kind}")


def _on_a_kept_connection(function: Callable, *args, **kwargs):
    if connection.errors_occurred:  # the database went away under it: start afresh
        connection.close()
    return function(*args, **kwargs)


async def in_thread(kind: str, function: Callable, /, *args, **kwargs):
    """Run blocking `function` off the event loop: on the `kind` pool ("admission", "start") under the server."""
    if ON_SERVER_POOLS.get():
        if kind == "admission":
            call = functools.partial(_on_a_kept_connection, function, *args, **kwargs)
        else:
            call = functools.partial(releasing_connection(function), *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(_pool(kind), call)
    return await sync_to_async(releasing_connection(function))(*args, **kwargs)
