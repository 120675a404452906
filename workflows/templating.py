"""Render step configurations with Jinja2's sandbox and strict undefined.

A string that is exactly one `{{ expression }}` keeps the value's type ("{{ input.amountCents }}" -> 1250);
any other string renders to a string. A missing value is a TEMPLATE_ERROR naming the expression, never "".
"""

import functools
import json
import operator
import re
from typing import Any

from jinja2 import StrictUndefined, Undefined, meta
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from workflows.errors import TemplateError, ValidationFailed

ROOTS = frozenset({"input", "auth", "config", "app", "steps"})
MAX_RESULT_CHARS = 1_000_000
_SINGLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|\{#).)*)\}\}\s*$", re.DOTALL)


class _Environment(SandboxedEnvironment):
    """The sandbox, plus a bound on `*` and `**` so one template cannot allocate gigabytes."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise TemplateError("exponent too large")
            return operator.pow(left, right)
        if isinstance(right, int) and isinstance(left, str | list | tuple) and len(left) * right > MAX_RESULT_CHARS:
            raise TemplateError("result too large")
        if isinstance(left, int) and isinstance(right, str | list | tuple) and len(right) * left > MAX_RESULT_CHARS:
            raise TemplateError("result too large")
        return operator.mul(left, right)


ENV = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def is_template(value: str) -> bool:
    return "{{" in value or "{%" in value or "{#" in value


@functools.lru_cache(maxsize=4096)
def _template_problem(value: str) -> str | None:
    """Why a template is refused, or None; cached because the same strings are checked on every run."""
    match = _SINGLE.match(value)
    source = value if match is None else "{{" + match.group("expr") + "}}"
    try:
        tree = ENV.parse(source)
    except JinjaTemplateError as exc:
        return f"malformed template: {exc}"
    unknown = sorted(meta.find_undeclared_variables(tree) - ROOTS)
    if unknown:
        return f"unknown template variable '{unknown[0]}' (use input, auth, config, app or steps)"
    return None


def check_template(value: str, *, path: str) -> None:
    """Refuse a malformed template, or one that reads a root other than input/auth/config/app/steps."""
    if not is_template(value):
        return
    problem = _template_problem(value)
    if problem is not None:
        raise ValidationFailed(f"{path}: {problem}", details={"path": path, "template": value[:200]})


@functools.lru_cache(maxsize=4096)
def _expression(source: str):
    return ENV.compile_expression(source, undefined_to_none=False)


@functools.lru_cache(maxsize=4096)
def _template(source: str):
    return ENV.from_string(source)


def _fail(value: str, path: str, reason: str) -> TemplateError:
    return TemplateError(
        f"{path}: {value.strip()[:200]}: {reason}", details={"path": path, "expression": value.strip()[:200]}
    )


def _plain(value: Any, expression: str, path: str) -> Any:
    if isinstance(value, Undefined):
        try:
            str(value)
        except JinjaTemplateError as exc:
            raise _fail(expression, path, str(exc)) from None
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        raise _fail(expression, path, f"value of type {type(value).__name__} is not JSON") from None


def render_string(value: str, context: dict, *, path: str) -> Any:
    if not is_template(value):
        return value
    match = _SINGLE.match(value)
    try:
        if match is not None:
            result = _expression(match.group("expr").strip())(**context)
            return _plain(result, value, path)
        rendered = _template(value).render(**context)
    except TemplateError as exc:
        raise _fail(value, path, exc.message) from None
    except JinjaTemplateError as exc:
        raise _fail(value, path, str(exc)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise _fail(value, path, f"{type(exc).__name__}: {exc}") from None
    if len(rendered) > MAX_RESULT_CHARS:
        raise _fail(value, path, "result too large")
    return rendered


def render_value(value: Any, context: dict, *, path: str) -> Any:
    """Render every string inside a JSON value; keys stay as written."""
    if isinstance(value, str):
        return render_string(value, context, path=path)
    if isinstance(value, dict):
        return {key: render_value(item, context, path=f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [render_value(item, context, path=f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def check_value(value: Any, *, path: str) -> None:
    if isinstance(value, str):
        check_template(value, path=path)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(item, path=f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, path=f"{path}[{index}]")
