"""ctx.db over PostgreSQL: transactions that live across bridge calls, on the store's own pooled connections.

A compute function runs in the app's Deno process; each ctx.db call is one bridge call carrying the
transaction id that `begin` handed out. The transaction stays open on one connection from a psycopg_pool pool
between calls (Django's connections are per thread; bridge calls arrive on fresh threads).

- query: REPEATABLE READ, READ ONLY: one consistent snapshot, and PostgreSQL itself refuses a write.
- mutation: takes the app's transaction-level advisory lock first, so an app's mutations commit one after
  another: serializable by construction (50 concurrent increments end at 50), all or nothing.

Fairness: an app holds at most STAGE_COMPUTE_APP_MAX_TRANSACTIONS open transactions on this host (host slots,
across every web process), always fewer than the pool holds, so one app cannot take the connections another
app needs; its further calls wait for one of its own slots (up to STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS, then 503
COMPUTE_BUSY), never for anyone else's.

Every transaction has a hard budget of STAGE_COMPUTE_TRANSACTION_SECONDS counted from its start, not from its
last call: PostgreSQL enforces it (statement_timeout, idle_in_transaction_session_timeout, and
transaction_timeout from version 17) and so does the platform (a timer cancels it, rolls it back and gives its
connection and slot back). Past it, that app's call fails with 504 TIMEOUT; nobody else's does.
"""

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connections
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from core.errors import NotFound, ValidationFailed
from published_api import host_slots
from published_api.compute.errors import ComputeBusy, ComputeReadOnly, ComputeTimeout
from published_api.compute.filters import compile_filter
from published_api.compute.models import ComputeDocument

logger = logging.getLogger(__name__)
TABLE = ComputeDocument._meta.db_table
LOCK_CLASS = 0x5354  # advisory lock namespace for "one app's mutations"
TABLE_NAME_MAX = 64
MAX_TAKE = 10_000
SLOT_KIND = "compute"


@dataclass
class Transaction:
    conn: psycopg.Connection
    mode: str
    app_sid: str
    slot: host_slots.Slot
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    timer: threading.Timer | None = None


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


def _budget_ms() -> int:
    return int(settings.STAGE_COMPUTE_TRANSACTION_SECONDS * 1000)


def _the_pool() -> ConnectionPool:
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


_open: dict[str, Transaction] = {}
_open_lock = threading.Lock()


def _begin_statements(conn: psycopg.Connection, mode: str, app_sid: str) -> None:
    budget = _budget_ms()
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if mode == "query" else "BEGIN")
    conn.execute(f"SET LOCAL statement_timeout = {budget}")
    conn.execute(f"SET LOCAL idle_in_transaction_session_timeout = {budget}")
    if conn.info.server_version >= 170000:
        conn.execute(f"SET LOCAL transaction_timeout = {budget}")
    if mode == "mutation":
        conn.execute(f"SET LOCAL lock_timeout = '{int(settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS * 1000)}ms'")
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_CLASS, app_sid])


def begin(*, app_sid: str, mode: str) -> str:
    if mode not in ("query", "mutation"):
        raise ValidationFailed("mode is query or mutation")
    cap = settings.STAGE_COMPUTE_APP_MAX_TRANSACTIONS
    slot = host_slots.acquire(SLOT_KIND, app_sid, cap, timeout=settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS)
    if slot is None:
        raise ComputeBusy(
            f"This app kept {cap} compute transactions open (its cap on this host) too long to start one more."
        )
    pool = _the_pool()
    try:
        conn = pool.getconn()
    except PoolTimeout:
        slot.release()
        raise ComputeBusy() from None
    try:
        _begin_statements(conn, mode, app_sid)
    except psycopg.errors.LockNotAvailable:
        conn.rollback()
        pool.putconn(conn)
        slot.release()
        raise ComputeBusy("Another mutation of this app held the store too long; try again.") from None
    except BaseException:
        conn.close()
        pool.putconn(conn)
        slot.release()
        raise
    txn_id = secrets.token_hex(16)
    txn = Transaction(conn=conn, mode=mode, app_sid=app_sid, slot=slot)
    txn.timer = threading.Timer(settings.STAGE_COMPUTE_TRANSACTION_SECONDS, _expire, [txn_id])
    txn.timer.daemon = True
    with _open_lock:
        _open[txn_id] = txn
    txn.timer.start()
    return txn_id


def _finish(txn: Transaction, *, commit: bool) -> None:
    """End a transaction we hold the lock of, and give its connection and slot back."""
    try:
        if commit:
            txn.conn.commit()
        else:
            txn.conn.rollback()
    except psycopg.Error:
        txn.conn.close()
        raise
    finally:
        _the_pool().putconn(txn.conn)
        txn.slot.release()


def _expire(txn_id: str) -> None:
    """The budget is spent: cancel whatever runs, roll back, hand the connection and slot back."""
    with _open_lock:
        txn = _open.pop(txn_id, None)
    if txn is None:
        return
    logger.warning("compute: a transaction of %s exceeded its budget and was rolled back", txn.app_sid)
    txn.conn.cancel_safe(timeout=1.0)
    with txn.lock:
        txn.conn.close()
        _the_pool().putconn(txn.conn)
        txn.slot.release()


def end(*, app_sid: str, txn_id: str, commit: bool) -> None:
    with _open_lock:
        txn = _open.get(txn_id)
        if txn is None or txn.app_sid != app_sid:
            raise _gone()
        del _open[txn_id]
    txn.timer.cancel()
    with txn.lock:
        _finish(txn, commit=commit)


def _gone() -> NotFound:
    return NotFound("No such transaction (it ended, or ran past its time budget and was rolled back).")


def _txn(app_sid: str, txn_id) -> Transaction:
    txn = _open.get(str(txn_id))
    if txn is None or txn.app_sid != app_sid:
        raise _gone()
    if time.monotonic() - txn.started > settings.STAGE_COMPUTE_TRANSACTION_SECONDS:
        _expire(str(txn_id))
        raise ComputeTimeout()
    return txn


def _table(name) -> str:
    if not isinstance(name, str) or not name or len(name) > TABLE_NAME_MAX or not name.replace("_", "a").isalnum():
        raise ValidationFailed(f"Bad table name: {name!r} (letters, digits and _)")
    if name.startswith("_"):
        raise ValidationFailed(f"Bad table name: {name!r} (names starting with _ are reserved)")
    return name


def _fields(doc) -> dict:
    if not isinstance(doc, dict):
        raise ValidationFailed("A document is an object.")
    return {k: v for k, v in doc.items() if k not in ("_id", "_creationTime")}


def _present(public_id: str, creation_time: float, doc: dict) -> dict:
    return {**doc, "_id": public_id, "_creationTime": creation_time}


def _write(txn: Transaction, op: str) -> None:
    if txn.mode != "mutation":
        raise ComputeReadOnly(f"ctx.db.{op} is not allowed in a query: a query is read-only (use a mutation).")


def _run(txn: Transaction, sql: str, params: list, *, fetch: bool = True) -> list:
    with txn.lock:
        if txn.conn.closed:  # expired while this call waited for the lock
            raise ComputeTimeout()
        try:
            cursor = txn.conn.execute(sql, params)
            return cursor.fetchall() if fetch else []
        except psycopg.errors.ReadOnlySqlTransaction:
            raise ComputeReadOnly() from None
        except (psycopg.errors.QueryCanceled, psycopg.errors.IdleInTransactionSessionTimeout):
            raise ComputeTimeout() from None


# Statements over our own model's table (its name from metadata, never from input); values are bound.
_T = TABLE
SQL = {
    "insert": f'INSERT INTO {_T} (app_sid, "table", public_id, doc, creation_time) VALUES (%s, %s, %s, %s, %s)',  # noqa: S608
    "get": f"SELECT public_id, creation_time, doc FROM {_T} WHERE app_sid = %s AND public_id = %s",  # noqa: S608
    "patch": f"UPDATE {_T} SET doc = doc || %s WHERE app_sid = %s AND public_id = %s RETURNING 1",  # noqa: S608
    "unset": f"UPDATE {_T} SET doc = doc - %s::text[] WHERE app_sid = %s AND public_id = %s RETURNING 1",  # noqa: S608
    "replace": f"UPDATE {_T} SET doc = %s WHERE app_sid = %s AND public_id = %s RETURNING 1",  # noqa: S608
    "delete": f"DELETE FROM {_T} WHERE app_sid = %s AND public_id = %s RETURNING 1",  # noqa: S608
}


def _new_id() -> str:
    return secrets.token_urlsafe(15).replace("-", "x").replace("_", "y")


def op(*, app_sid: str, args: dict) -> object:
    """One ctx.db call inside an open transaction."""
    txn = _txn(app_sid, args.get("txn"))
    action, doc_id = args.get("action"), str(args.get("id"))
    if action == "insert":
        _write(txn, "insert")
        public_id = _new_id()
        table, fields = _table(args.get("table")), Jsonb(_fields(args.get("doc")))
        _run(txn, SQL["insert"], [app_sid, table, public_id, fields, time.time() * 1000], fetch=False)
        return public_id
    if action == "get":
        rows = _run(txn, SQL["get"], [app_sid, doc_id])
        return _present(*rows[0]) if rows else None
    if action in ("patch", "replace"):
        _write(txn, action)
        fields = _fields(args.get("fields") if action == "patch" else args.get("doc"))
        if not _run(txn, SQL[action], [Jsonb(fields), app_sid, doc_id]):
            raise NotFound(f"Document not found: {doc_id}")
        removed = [key for key, value in fields.items() if value is None] if action == "patch" else []
        if removed:  # patch({field: null}) removes the field, as Convex does for undefined
            _run(txn, SQL["unset"], [removed, app_sid, doc_id])
        return None
    if action == "delete":
        _write(txn, "delete")
        if not _run(txn, SQL["delete"], [app_sid, doc_id]):
            raise NotFound(f"Document not found: {doc_id}")
        return None
    if action == "query":
        return _query(txn, app_sid, args)
    raise ValidationFailed(f"Unknown ctx.db operation: {action!r}")


def _query(txn: Transaction, app_sid: str, args: dict) -> dict:
    where, params = ["app_sid = %s", '"table" = %s'], [app_sid, _table(args.get("table"))]
    if args.get("filter") is not None:
        sql, filter_params = compile_filter(args["filter"])
        where.append(sql)
        params += filter_params
    descending = args.get("order") == "desc"
    cursor = args.get("cursor")
    if cursor:
        if not str(cursor).isdigit():
            raise ValidationFailed("Bad pagination cursor.")
        where.append("id < %s" if descending else "id > %s")
        params.append(int(cursor))
    limit = args.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= MAX_TAKE):
        raise ValidationFailed(f"take/numItems must be an integer from 0 to {MAX_TAKE}")
    sql = (
        f"SELECT id, public_id, creation_time, doc FROM {TABLE} WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY id {'DESC' if descending else 'ASC'}"
    )
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit + 1)
    rows = _run(txn, sql, params)
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    return {
        "page": [_present(public_id, created, doc) for _id, public_id, created, doc in rows],
        "isDone": not more,
        "continueCursor": str(rows[-1][0]) if rows else (str(cursor) if cursor else ""),
    }
