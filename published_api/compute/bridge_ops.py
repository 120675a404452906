"""Bridge operations for ctx.db, acting for the process's own app.

compute.db carries the writes the sandbox held since its last call (`writes`) and, usually, one read (`action`
and its arguments); it runs them in the open transaction `txn`, or opens one with `begin: "query"|"mutation"` and
answers {txn, result}. A first call that fails ends the transaction it opened. `begin` with `commit: true` is a
whole mutation of writes only: opened, written and committed in one round trip (it answers {txn: null}).
compute.end {txn, commit, writes} commits (after those writes) or rolls back.

Calls in an open transaction only wait for its own statements: the bridge runs them apart (bridge.HOLDING).
"""

from published_api.compute import store


def _db(caller, args: dict) -> dict:
    begin = args.get("begin")
    if begin is not None and args.get("commit"):
        store.commit_once(app_sid=caller.app_sid, mode=str(begin), writes=args.get("writes"))
        return {"txn": None, "result": None}
    opened = None
    if begin is not None:
        opened = args["txn"] = store.begin(app_sid=caller.app_sid, mode=str(begin))
    try:
        return {"txn": args.get("txn"), "result": store.op(app_sid=caller.app_sid, args=args)}
    except BaseException:
        if opened is not None:
            store.end(app_sid=caller.app_sid, txn_id=opened, commit=False)
        raise


def _end(caller, args: dict) -> None:
    txn_id, commit = str(args.get("txn")), bool(args.get("commit"))
    store.end(app_sid=caller.app_sid, txn_id=txn_id, commit=commit, writes=args.get("writes"))


OPERATIONS = {"compute.db": _db, "compute.end": _end}
HOLDING = {"compute.db": lambda args: args.get("begin") is None, "compute.end": lambda args: True}
