"""Bridge operations for ctx.db: compute.begin / compute.db / compute.end, acting for the process's own app."""

import psycopg

from published_api.compute import store
from published_api.compute.errors import ComputeError


def _begin(caller, args: dict) -> dict:
    return {"txn": store.begin(app_sid=caller.app_sid, mode=str(args.get("mode")))}


def _db(caller, args: dict) -> object:
    try:
        return store.op(app_sid=caller.app_sid, args=args)
    except psycopg.Error as error:  # e.g. a value PostgreSQL's jsonb refuses
        raise ComputeError(f"ctx.db.{args.get('action')} failed: {error.diag.message_primary or error}") from None


def _end(caller, args: dict) -> None:
    store.end(app_sid=caller.app_sid, txn_id=str(args.get("txn")), commit=bool(args.get("commit")))


OPERATIONS = {"compute.begin": _begin, "compute.db": _db, "compute.end": _end}
