"""Compile a ctx.db filter (the JSON tree the JS query builder sends) into one SQL condition with bound values.

Tree: {"op": "eq"|"neq"|"lt"|"lte"|"gt"|"gte", "args": [operand, operand]}, {"op": "and"|"or", "args": [...]},
{"op": "not", "args": [tree]}; operand: {"field": "a.b"} or {"value": <json>}. Field paths become `doc #> path`
(text[] parameter), `_id` and `_creationTime` their columns; values are jsonb parameters. Equality of a field with
a scalar is `doc @> {...}` so the GIN index (jsonb_path_ops) answers it.
"""

import re

from psycopg.types.json import Jsonb

from core.errors import ValidationFailed

COMPARISONS = {"eq": "=", "neq": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
MAX_DEPTH = 32
MAX_NODES = 256
FIELD = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]{0,63}(\.[A-Za-z_$][A-Za-z0-9_$]{0,63}){0,15}$")


def _bad(message: str) -> ValidationFailed:
    return ValidationFailed(f"Bad filter: {message}")


def field_path(path) -> list[str]:
    if not isinstance(path, str) or not FIELD.match(path):
        raise _bad(f"field names are dotted identifiers, got {path!r}")
    return path.split(".")


def _operand(node) -> tuple[str, list]:
    if not isinstance(node, dict) or len(node) != 1:
        raise _bad("an operand is q.field(...) or a value")
    if "value" in node:
        return "%s::jsonb", [Jsonb(node["value"])]
    parts = field_path(node.get("field"))
    if parts == ["_id"]:
        return "to_jsonb(public_id)", []
    if parts == ["_creationTime"]:
        return "to_jsonb(creation_time)", []
    return "COALESCE(doc #> %s::text[], 'null'::jsonb)", [parts]


def _containment(left, right) -> tuple[str, list] | None:
    """field == scalar as containment, which the GIN index serves; None when it does not apply."""
    if "field" in right and "value" in left:
        left, right = right, left
    if "field" not in left or "value" not in right:
        return None
    value = right["value"]
    if value is None or isinstance(value, dict | list):
        return None
    parts = field_path(left["field"])
    if parts[0] in ("_id", "_creationTime"):
        return None
    nested = value
    for part in reversed(parts):
        nested = {part: nested}
    return "doc @> %s::jsonb", [Jsonb(nested)]


def compile_filter(node, *, depth: int = 0, budget: list | None = None) -> tuple[str, list]:
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if depth > MAX_DEPTH or budget[0] < 0:
        raise _bad("too deep or too large")
    if not isinstance(node, dict) or not isinstance(node.get("args"), list):
        raise _bad("expected an expression built with q.eq, q.and, ...")
    op, args = node.get("op"), node["args"]
    if op in COMPARISONS:
        if len(args) != 2:
            raise _bad(f"{op} takes two operands")
        if op == "eq" and (fast := _containment(*args)):
            return fast
        (left, left_params), (right, right_params) = _operand(args[0]), _operand(args[1])
        return f"({left} {COMPARISONS[op]} {right})", left_params + right_params
    if op in ("and", "or"):
        if not args:
            return ("TRUE" if op == "and" else "FALSE"), []
        parts = [compile_filter(arg, depth=depth + 1, budget=budget) for arg in args]
        return "(" + f" {op.upper()} ".join(sql for sql, _ in parts) + ")", [p for _, params in parts for p in params]
    if op == "not":
        if len(args) != 1:
            raise _bad("not takes one expression")
        sql, params = compile_filter(args[0], depth=depth + 1, budget=budget)
        return f"(NOT {sql})", params
    raise _bad(f"unknown operator {op!r}")
