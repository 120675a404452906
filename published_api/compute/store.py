"""ctx.db over PostgreSQL: transactions that live across bridge calls, on the store's own connections.

A compute function runs in the app's Deno process; each ctx.db call is one bridge call carrying the
transaction id that `begin` handed out. The transaction stays open on one pooled psycopg connection between
calls (Django's connections are per thread; bridge calls arrive on fresh threads).

- query: REPEATABLE READ, READ ONLY: one consistent snapshot, and PostgreSQL itself refuses a write.
- mutation: takes the app's transaction-level advisory lock first, so an app's mutations commit one after
  another: serializable by construction (50 concurrent increments end at 50), all or nothing.
Abandoned transactions (a killed process) are ended by PostgreSQL's idle_in_transaction_session_timeout.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connections
from psycopg.types.json import Jsonb

from published_api.compute.errors import ComputeBusy, ComputeReadOnly
from published_api.compute.filters import compile_filter
from published_api.compute.models import ComputeDocument
from stage.errors import NotFound, ValidationFailed

TABLE = ComputeDocument._meta.db_table
LOCK_CLASS = 0x5354  # advisory lock namespace for "one app's mutations"
TABLE_NAME_MAX = 64
MAX_TAKE = 10_000


@dataclass
class Transaction:
    conn: psycopg.Connection
    mode: str
    app_sid: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_used: float = field(default_factory=time.monotonic)


class _Pool:
    def __init__(self):
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._slots: threading.BoundedSemaphore | None = None
        self._dsn: dict | None = None

    def _params(self) -> dict:
        conf = connections["default"].settings_dict
        return {
            "dbname": conf["NAME"],
            "user": conf.get("USER") or None,
            "password": conf.get("PASSWORD") or None,
            "host": conf.get("HOST") or None,
            "port": conf.get("PORT") or None,
        }

    def acquire(self) -> psycopg.Connection:
        params = self._params()
        with self._lock:
            if self._slots is None:
                self._slots = threading.BoundedSemaphore(settings.STAGE_COMPUTE_POOL_SIZE)
            if params != self._dsn:  # a different database (tests): forget the old connections
                self._idle, self._dsn = [], params
        if not self._slots.acquire(timeout=settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS):
            raise ComputeBusy()
        try:
            with self._lock:
                while self._idle:
                    conn = self._idle.pop()
                    if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                        return conn
            timeout_ms = int(settings.STAGE_COMPUTE_IDLE_TIMEOUT_SECONDS * 1000)
            return psycopg.connect(
                **{k: v for k, v in params.items() if v is not None},
                options=f"-c idle_in_transaction_session_timeout={timeout_ms}",
            )
        except BaseException:
            self._slots.release()
            raise

    def release(self, conn: psycopg.Connection) -> None:
        if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            with self._lock:
                self._idle.append(conn)
        else:
            conn.close()
        self._slots.release()

    def close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


_pool = _Pool()


def close_idle_connections() -> None:
    """Close the store's pooled connections that no transaction is using (tests, shutdown)."""
    _pool.close_idle()


_open: dict[str, Transaction] = {}
_open_lock = threading.Lock()


def _sweep_abandoned() -> None:
    """Transactions whose process stopped calling (killed mid-function): PostgreSQL has ended them by now;
    close their connections and give their pool slots back."""
    limit = time.monotonic() - settings.STAGE_COMPUTE_IDLE_TIMEOUT_SECONDS - 1
    with _open_lock:
        stale = [txn_id for txn_id, txn in _open.items() if txn.last_used < limit]
        abandoned = [_open.pop(txn_id) for txn_id in stale]
    for txn in abandoned:
        txn.conn.close()
        _pool.release(txn.conn)


def begin(*, app_sid: str, mode: str) -> str:
    if mode not in ("query", "mutation"):
        raise ValidationFailed("mode is query or mutation")
    _sweep_abandoned()
    conn = _pool.acquire()
    try:
        if mode == "query":
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        else:
            conn.execute("BEGIN")
            conn.execute(f"SET LOCAL lock_timeout = '{int(settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS * 1000)}ms'")
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_CLASS, app_sid])
    except psycopg.errors.LockNotAvailable:
        conn.rollback()
        _pool.release(conn)
        raise ComputeBusy("Another mutation of this app held the store too long; try again.") from None
    except BaseException:
        conn.close()
        _pool.release(conn)
        raise
    txn_id = secrets.token_hex(16)
    with _open_lock:
        _open[txn_id] = Transaction(conn=conn, mode=mode, app_sid=app_sid)
    return txn_id


def end(*, app_sid: str, txn_id: str, commit: bool) -> None:
    with _open_lock:
        txn = _open.get(txn_id)
        if txn is None or txn.app_sid != app_sid:
            raise NotFound("No such transaction.")
        del _open[txn_id]
    with txn.lock:
        try:
            if commit:
                txn.conn.commit()
            else:
                txn.conn.rollback()
        except psycopg.Error:
            txn.conn.close()
            raise
        finally:
            _pool.release(txn.conn)


def _txn(app_sid: str, txn_id) -> Transaction:
    txn = _open.get(str(txn_id))
    if txn is None or txn.app_sid != app_sid:
        raise NotFound("No such transaction (it ended or timed out).")
    txn.last_used = time.monotonic()
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
        try:
            cursor = txn.conn.execute(sql, params)
            return cursor.fetchall() if fetch else []
        except psycopg.errors.ReadOnlySqlTransaction:
            raise ComputeReadOnly() from None


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
