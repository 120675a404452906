"""ctx.db over PostgreSQL: transactions that live across bridge calls, on the store's own pooled connections.

A compute function runs in the app's Deno process; its ctx.db calls cross the bridge. The sandbox keeps a
mutation's writes until its next read or its end and sends them with it, and the platform sends each call's
statements in one pipeline: one round trip to PostgreSQL per bridge call. A transaction opens with its first call
(its opening statements go in the same pipeline); a mutation made of writes only is a single call that opens,
writes and commits in one round trip (commit_once). Between calls the transaction stays open on one connection
from a psycopg_pool pool (bridge calls run on pool threads, and Django's connections are per thread).

- query: REPEATABLE READ, READ ONLY: one consistent snapshot, and PostgreSQL itself refuses a write.
- mutation: takes the app's transaction-level advisory lock first, so an app's mutations commit one after
  another: serializable by construction (50 concurrent increments end at 50), all or nothing. A mutation one of
  whose calls failed in the database never commits: its commit rolls it back and says so.

Fairness: an app holds at most STAGE_COMPUTE_APP_MAX_TRANSACTIONS open transactions on this host (host slots,
across every web process), always fewer than the pool holds, so one app cannot take the connections another
app needs; its further calls wait for one of its own slots (up to STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS, then 503
COMPUTE_BUSY), never for anyone else's.

Every transaction has a hard budget of STAGE_COMPUTE_TRANSACTION_SECONDS counted from its start, not from its
last call: PostgreSQL enforces it (statement_timeout, idle_in_transaction_session_timeout, and
transaction_timeout from version 17) and so does the platform (a deadline cancels it, rolls it back and gives its
connection and slot back). Past it, that app's call fails with 504 TIMEOUT; nobody else's does.
"""

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

import psycopg
from django.conf import settings

from core.errors import NotFound, ValidationFailed
from published_api import host_slots
from published_api.compute import statements
from published_api.compute.connections import ConnectionPool, PoolTimeout, close_idle_connections, the_pool
from published_api.compute.deadlines import Deadline, Deadlines
from published_api.compute.errors import ComputeBusy, ComputeError, ComputeReadOnly, ComputeTimeout
from published_api.compute.statements import Statement

__all__ = ["begin", "call", "close_idle_connections", "commit_once", "end", "op"]
logger = logging.getLogger(__name__)
LOCK_CLASS = 0x5354  # advisory lock namespace for "one app's mutations"
SLOT_KIND = "compute"
COMMIT = Statement("COMMIT", [])
_budgets = Deadlines("compute-budgets")
_TIMEOUTS = tuple(
    getattr(psycopg.errors, name)
    for name in ("QueryCanceled", "IdleInTransactionSessionTimeout", "TransactionTimeout")
    if hasattr(psycopg.errors, name)
)


@dataclass
class Transaction:
    conn: psycopg.Connection
    pool: ConnectionPool
    mode: str
    app_sid: str
    slot: host_slots.Slot
    opening: list[Statement]  # sent ahead of its first call's statements
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    budget: Deadline | None = None
    failed: bool = False  # a statement failed: the transaction can only roll back


def _opening(mode: str, app_sid: str) -> list[Statement]:
    if mode == "query":
        return [Statement("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [])]
    return [Statement("BEGIN", []), Statement("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_CLASS, app_sid])]


def _take(*, app_sid: str, mode: str) -> Transaction:
    """A slot and a connection for a new transaction, whose opening statements go with its first call."""
    if mode not in ("query", "mutation"):
        raise ValidationFailed("mode is query or mutation")
    cap = settings.STAGE_COMPUTE_APP_MAX_TRANSACTIONS
    slot = host_slots.acquire(SLOT_KIND, app_sid, cap, timeout=settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS)
    if slot is None:
        raise ComputeBusy(
            f"This app kept {cap} compute transactions open (its cap on this host) too long to start one more."
        )
    try:
        pool = the_pool()
        conn = pool.getconn()
    except BaseException as error:
        slot.release()
        if isinstance(error, PoolTimeout):
            raise ComputeBusy() from None
        raise
    return Transaction(conn=conn, pool=pool, mode=mode, app_sid=app_sid, slot=slot, opening=_opening(mode, app_sid))


def _give_back(txn: Transaction) -> None:
    """Roll back whatever is left open, and give the connection and slot back."""
    try:
        if not txn.conn.closed and txn.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            txn.conn.execute("ROLLBACK")
    except psycopg.Error:
        txn.conn.close()
    finally:
        txn.pool.putconn(txn.conn)
        txn.slot.release()


def _translate(error: psycopg.Error, statement: Statement | None) -> Exception:
    action = statement.action if statement is not None else ""
    if isinstance(error, psycopg.errors.DivisionByZero) and statement is not None and statement.missing:
        return NotFound(statement.missing)
    if isinstance(error, psycopg.errors.ReadOnlySqlTransaction):
        return ComputeReadOnly()
    if isinstance(error, _TIMEOUTS):
        return ComputeTimeout()
    if isinstance(error, psycopg.errors.LockNotAvailable):
        return ComputeBusy("Another mutation of this app held the store too long; try again.")
    if isinstance(error, psycopg.errors.InFailedSqlTransaction):
        return ComputeError("An earlier ctx.db call of this function failed: its transaction can only roll back.")
    return ComputeError(f"ctx.db.{action or 'call'} failed: {error.diag.message_primary or error}")


def _send(txn: Transaction, sent: list[Statement]) -> list | None:
    """Run statements in one round trip (one pipeline), the transaction's opening ones first if not yet sent;
    the rows of the last one, if it returns rows. We hold txn.lock."""
    if txn.conn.closed:  # expired while this call waited for the lock
        raise ComputeTimeout()
    sent, txn.opening = [*txn.opening, *sent], []
    cursors = []
    try:
        with txn.conn.pipeline():
            for statement in sent:
                cursors.append(txn.conn.execute(statement.sql, statement.params))
    except psycopg.Error as error:
        txn.failed = True
        failed = next((s for i, s in enumerate(sent) if i >= len(cursors) or cursors[i].pgresult is None), None)
        raise _translate(error, failed) from None
    last = cursors[-1] if cursors else None
    return last.fetchall() if last is not None and last.description else None


def commit_once(*, app_sid: str, mode: str, writes: list) -> None:
    """A mutation of writes only: open, write and commit in one round trip."""
    txn = _take(app_sid=app_sid, mode=mode)
    try:
        with txn.lock:
            _send(txn, [*(statements.write(app_sid, mode, w)[0] for w in _listed(writes)), COMMIT])
    finally:
        _give_back(txn)


def begin(*, app_sid: str, mode: str) -> str:
    txn = _take(app_sid=app_sid, mode=mode)
    txn_id = secrets.token_hex(16)
    with _open_lock:
        _open[txn_id] = txn
    txn.budget = _budgets.at(settings.STAGE_COMPUTE_TRANSACTION_SECONDS, _expire, txn_id)
    return txn_id


_open: dict[str, Transaction] = {}
_open_lock = threading.Lock()


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
        txn.pool.putconn(txn.conn)
        txn.slot.release()


def end(*, app_sid: str, txn_id: str, commit: bool, writes: list | None = None) -> None:
    """Commit (after the writes the sandbox still held) or roll back, and give the connection and slot back."""
    with _open_lock:
        txn = _open.get(txn_id)
        if txn is None or txn.app_sid != app_sid:
            raise _gone()
        del _open[txn_id]
    txn.budget.cancel()
    with txn.lock:
        try:
            if commit and txn.failed:
                raise ComputeError("The mutation was rolled back: one of its ctx.db calls failed.")
            pending = [statements.write(app_sid, txn.mode, w)[0] for w in _listed(writes)]
            if commit and (pending or not txn.opening):  # nothing sent yet and nothing to write: nothing to end
                _send(txn, [*pending, COMMIT])
        finally:
            _give_back(txn)


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


def _listed(writes) -> list:
    if writes is None:
        return []
    if not isinstance(writes, list) or not all(isinstance(w, dict) for w in writes):
        raise ValidationFailed("writes is a list of ctx.db writes.")
    return writes


def call(*, app_sid: str, args: dict) -> object:
    """ctx.db calls inside an open transaction: the writes the sandbox held, then one read (its answer)."""
    txn = _txn(app_sid, args.get("txn"))
    with txn.lock:
        try:
            pending = [statements.write(app_sid, txn.mode, w)[0] for w in _listed(args.get("writes"))]
        except Exception:
            txn.failed = True  # the sandbox was told its writes were taken: never commit without them
            raise
        try:
            statement, answer = statements.read(app_sid, args)
        except ValidationFailed:  # a bad read fails alone: the writes before it still happen
            if pending:
                _send(txn, pending)
            raise
        return answer(_send(txn, [*pending, statement]))


def op(*, app_sid: str, args: dict) -> object:
    """One ctx.db call inside an open transaction: a read, or one write (an insert answers its new id)."""
    if args.get("action") not in statements.WRITES:
        return call(app_sid=app_sid, args=args)
    txn = _txn(app_sid, args.get("txn"))
    statement, answer = statements.write(app_sid, txn.mode, args)
    with txn.lock:
        _send(txn, [statement])
    return answer
