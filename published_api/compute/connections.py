"""The compute store's own pool of PostgreSQL connections (psycopg_pool), apart from Django's.

Its connections are in autocommit mode: the store writes BEGIN and COMMIT itself, in the same pipeline as the
statements between them (see store.py).
"""

import threading

import psycopg
from django.conf import settings
from django.db import connections
from psycopg_pool import ConnectionPool, PoolTimeout

__all__ = ["PoolTimeout", "close_idle_connections", "the_pool"]
_pool: ConnectionPool | None = None
_pool_conninfo = ""
_pool_lock = threading.Lock()


def _conninfo() -> str:
    conf = connections["default"].settings_dict
    params = {
        "dbname": conf["NAME"],
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
        "host": conf.get("HOST") or None,
        "port": conf.get("PORT") or None,
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v is not None})


def the_pool() -> ConnectionPool:
    """The store's pool, made on first use (and made again when the database changes, as in tests)."""
    global _pool, _pool_conninfo
    conninfo = _conninfo()
    with _pool_lock:
        if _pool is None or _pool_conninfo != conninfo:
            if _pool is not None:
                _pool.close()
            _pool, _pool_conninfo = (
                ConnectionPool(
                    conninfo,
                    kwargs={"autocommit": True},
                    min_size=0,
                    max_size=settings.STAGE_COMPUTE_POOL_SIZE,
                    timeout=settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS,
                    max_idle=60,
                    name="stage-compute",
                    open=True,
                ),
                conninfo,
            )
        return _pool


def close_idle_connections() -> None:
    """Close the store's pool and its connections (tests, shutdown); the next call makes a new one."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()
