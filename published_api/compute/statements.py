"""The SQL of ctx.db calls over the document table: each write or read becomes one statement (values bound).

A write that must find its document (patch, replace, delete) divides by the number of rows it touched, so a
missing document is an error PostgreSQL raises itself (division by zero, reported as "Document not found"): that
lets a mutation's writes and its COMMIT travel in one round trip, the COMMIT never running after a failed write.
"""

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from psycopg.types.json import Jsonb

from core.errors import ValidationFailed
from published_api.compute.errors import ComputeReadOnly
from published_api.compute.filters import compile_filter
from published_api.compute.models import ComputeDocument

TABLE = ComputeDocument._meta.db_table
TABLE_NAME_MAX = 64
MAX_TAKE = 10_000
DOCUMENT_ID = re.compile(r"[A-Za-z0-9]{20}")  # what stage_compute.js mints for an insert (as _new_id does)
WRITES = ("insert", "patch", "replace", "delete")


@dataclass(frozen=True)
class Statement:
    sql: str
    params: list
    action: str = ""  # the ctx.db call it carries out, for error messages
    missing: str | None = None  # what a write that found no document reports


def _found(update_or_delete: str) -> str:
    """The statement, failing with division_by_zero unless it touched a row."""
    return f"WITH w AS ({update_or_delete} RETURNING 1) SELECT 1 / count(*) FROM w"  # noqa: S608


# Statements over our own model's table (its name from metadata, never from input); values are bound.
_T = TABLE
_WHERE = "WHERE app_sid = %s AND public_id = %s"
SQL = {
    "insert": f'INSERT INTO {_T} (app_sid, "table", public_id, doc, creation_time) VALUES (%s, %s, %s, %s, %s)',  # noqa: S608
    "get": f"SELECT public_id, creation_time, doc FROM {_T} {_WHERE}",  # noqa: S608
    "patch": _found(f"UPDATE {_T} SET doc = (doc || %s) - %s::text[] {_WHERE}"),  # noqa: S608
    "replace": _found(f"UPDATE {_T} SET doc = %s {_WHERE}"),  # noqa: S608
    "delete": _found(f"DELETE FROM {_T} {_WHERE}"),  # noqa: S608
}


def table_name(name) -> str:
    if not isinstance(name, str) or not name or len(name) > TABLE_NAME_MAX or not name.replace("_", "a").isalnum():
        raise ValidationFailed(f"Bad table name: {name!r} (letters, digits and _)")
    if name.startswith("_"):
        raise ValidationFailed(f"Bad table name: {name!r} (names starting with _ are reserved)")
    return name


def _fields(doc) -> dict:
    if not isinstance(doc, dict):
        raise ValidationFailed("A document is an object.")
    return {k: v for k, v in doc.items() if k not in ("_id", "_creationTime")}


def present(public_id: str, creation_time: float, doc: dict) -> dict:
    return {**doc, "_id": public_id, "_creationTime": creation_time}


def new_id() -> str:
    return secrets.token_urlsafe(15).replace("-", "x").replace("_", "y")


def _insert_id(given) -> str:
    if given is None:
        return new_id()
    if not isinstance(given, str) or not DOCUMENT_ID.fullmatch(given):
        raise ValidationFailed("Bad document id for an insert.")
    return given


def write(app_sid: str, mode: str, args: dict) -> tuple[Statement, object]:
    """The statement of one write and what the call answers (an insert's new id)."""
    action = args.get("action")
    if mode != "mutation":
        raise ComputeReadOnly(f"ctx.db.{action} is not allowed in a query: a query is read-only (use a mutation).")
    if action == "insert":
        public_id, fields = _insert_id(args.get("id")), Jsonb(_fields(args.get("doc")))
        params = [app_sid, table_name(args.get("table")), public_id, fields, time.time() * 1000]
        return Statement(SQL["insert"], params, action), public_id
    doc_id = str(args.get("id"))
    missing = f"Document not found: {doc_id}"
    if action == "patch":  # patch({field: null}) removes the field, as Convex does for undefined
        fields = _fields(args.get("fields"))
        removed = [key for key, value in fields.items() if value is None]
        return Statement(SQL["patch"], [Jsonb(fields), removed, app_sid, doc_id], action, missing), None
    if action == "replace":
        return Statement(SQL["replace"], [Jsonb(_fields(args.get("doc"))), app_sid, doc_id], action, missing), None
    if action == "delete":
        return Statement(SQL["delete"], [app_sid, doc_id], action, missing), None
    raise ValidationFailed(f"Unknown ctx.db operation: {action!r}")


def read(app_sid: str, args: dict) -> tuple[Statement, Callable[[list], object]]:
    """The statement of one read and how its rows become the answer."""
    action = args.get("action")
    if action == "get":
        statement = Statement(SQL["get"], [app_sid, str(args.get("id"))], action)
        return statement, lambda rows: present(*rows[0]) if rows else None
    if action == "query":
        return _query(app_sid, args)
    raise ValidationFailed(f"Unknown ctx.db operation: {action!r}")


def _query(app_sid: str, args: dict) -> tuple[Statement, Callable[[list], object]]:
    where, params = ["app_sid = %s", '"table" = %s'], [app_sid, table_name(args.get("table"))]
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

    def page(rows: list) -> dict:
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        return {
            "page": [present(public_id, created, doc) for _id, public_id, created, doc in rows],
            "isDone": not more,
            "continueCursor": str(rows[-1][0]) if rows else (str(cursor) if cursor else ""),
        }

    return Statement(sql, params, "query"), page
