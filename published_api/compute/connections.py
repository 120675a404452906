"""The compute store's own pool of PostgreSQL connections (psycopg_pool), apart from Django's.

Its connections are in autocommit mode: the store writes BEGIN and COMMIT itself, in the same pipeline as the
statements between them (see store.py). Each connection carries the transaction budget from its start, as session
settings (statement_timeout, idle_in_transaction_session_timeout, lock_timeout, and transaction_timeout from
PostgreSQL 17), so no transaction spends a statement on them; a change of those settings makes a new pool.
"""

import threading

import psycopg
from django.conf import settings
from django.db import connections
from psycopg_pool import ConnectionPool, PoolTimeout

__all__ = ["ConnectionPool", "PoolTimeout", "close_idle_connections", "the_pool"]
_pool: ConnectionPool | None = None
_pool_key: tuple = ()
_pool_lock = threading.Lock()


def _key() -> tuple:
    """What the pool is made from: the database (the same dict Django's connection has) and the settings."""
    conf = connections.settings["default"]
    database = tuple(conf.get(name) or None for name in ("NAME", "USER", "PASSWORD", "HOST", "PORT"))
    limits = (settings.STAGE_COMPUTE_TRANSACTION_SECONDS, settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS)
    return database, limits, settings.STAGE_COMPUTE_POOL_SIZE


def _conninfo(database: tuple, limits: tuple) -> str:
    budget, lock = (int(seconds * 1000) for seconds in limits)
    options = f"-c statement_timeout={budget} -c idle_in_transaction_session_timeout={budget} -c lock_timeout={lock}"
    params = dict(zip(("dbname", "user", "password", "host", "port"), database, strict=True), options=options)
    params["application_name"] = "stage-compute"  # as pg_stat_activity shows them
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v is not None})


def _configure(conn: psycopg.Connection) -> None:
    if conn.info.server_version >= 170000:
        conn.execute("SELECT set_config('transaction_timeout', current_setting('statement_timeout'), false)")


def the_pool() -> ConnectionPool:
    """The store's pool, made on first use (and made again when the database or the settings change, as in
    tests)."""
    global _pool, _pool_key
    key = _key()
    with _pool_lock:
        if _pool is None or _pool_key != key:
            if _pool is not None:
                _pool.close()
            database, limits, size = key
            _pool, _pool_key = (
                ConnectionPool(
                    _conninfo(database, limits),
                    kwargs={"autocommit": True},
                    configure=_configure,
                    min_size=0,
                    max_size=size,
                    timeout=limits[1],
                    max_idle=60,
                    name="stage-compute",
                    open=True,
                ),
                key,
            )
        return _pool


def close_idle_connections() -> None:
    """Close the store's pool and its connections (tests, shutdown); the next call makes a new one."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()
