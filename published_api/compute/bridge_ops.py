"""Bridge operations for ctx.db, acting for the process's own app.

compute.db {txn, action, ...} runs one ctx.db call in an open transaction; {begin: "query"|"mutation", action,
...} opens the transaction with its first call (one round trip fewer) and answers {txn, result}. A first call
that fails ends the transaction it opened. compute.end {txn, commit} commits or rolls back.
"""

import psycopg

from published_api.compute import store
from published_api.compute.errors import ComputeError


def _db(caller, args: dict) -> dict:
    opened = None
    if args.get("begin") is not None:
        opened = args["txn"] = store.begin(app_sid=caller.app_sid, mode=str(args["begin"]))
    try:
        return {"txn": args.get("txn"), "result": store.op(app_sid=caller.app_sid, args=args)}
    except BaseException as error:
        if opened is not None:
            store.end(app_sid=caller.app_sid, txn_id=opened, commit=False)
        if isinstance(error, psycopg.Error):  # e.g. a value PostgreSQL's jsonb refuses
            raise ComputeError(f"ctx.db.{args.get('action')} failed: {error.diag.message_primary or error}") from None
        raise


def _end(caller, args: dict) -> None:
    store.end(app_sid=caller.app_sid, txn_id=str(args.get("txn")), commit=bool(args.get("commit")))


OPERATIONS = {"compute.db": _db, "compute.end": _end}
