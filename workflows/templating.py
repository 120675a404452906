"""Render step configurations with Jinja2's sandbox and strict undefined.

A string that is exactly one `{{ expression }}` keeps the value's type ("{{ input.amountCents }}" -> 1250);
any other string renders to a string. A missing value is a TEMPLATE_ERROR naming the expression, never "".
"""

import functools
import json
import re
from typing import Any

from jinja2 import StrictUndefined, Undefined, meta, nodes
from jinja2 import TemplateError as JinjaTemplateError

from workflows.errors import TemplateError, ValidationFailed
from workflows.template_limits import BoundedEnvironment, end_budget, render_bounded, start_budget

ROOTS = frozenset({"input", "auth", "config", "app", "steps"})
_SINGLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|\{#).)*)\}\}\s*$", re.DOTALL)
ENV = BoundedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


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


def _constant_parts(tree: nodes.Node) -> list[nodes.Expr]:
    """The largest expressions in a template that read no variable: what can be evaluated before any run."""
    found: list[nodes.Expr] = []

    def visit(node: nodes.Node) -> None:
        constant = isinstance(node, nodes.Expr) and not isinstance(node, nodes.TemplateData)
        if constant and next(node.find_all(nodes.Name), None) is None:
            found.append(node)
            return
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    return found


@functools.lru_cache(maxsize=4096)
def _constant_over_limit(value: str) -> str | None:
    """Why a part of the template that reads no variable already exceeds the limits, or None."""
    match = _SINGLE.match(value)
    source = value if match is None else "{{" + match.group("expr") + "}}"
    for part in _constant_parts(ENV.parse(source)):
        token = start_budget()
        try:
            render_bounded(ENV.from_string(nodes.Template([nodes.Output([part])])), {})
        except TemplateError as exc:
            return exc.message
        except Exception:  # noqa: S112  (any other failure is the run's to report, with its input)
            continue
        finally:
            end_budget(token)
    return None


def check_template(value: str, *, path: str) -> None:
    """Refuse a malformed template, one that reads a root other than input/auth/config/app/steps, and one whose
    constant parts already exceed the limits (TEMPLATE_ERROR: the same code a run would answer)."""
    if not is_template(value):
        return
    problem = _template_problem(value)
    if problem is not None:
        raise ValidationFailed(f"{path}: {problem}", details={"path": path, "template": value[:200]})
    over = _constant_over_limit(value)
    if over is not None:
        raise _fail(value, path, over)


@functools.lru_cache(maxsize=4096)
def _expression(source: str):
    return ENV.compile_expression(source, undefined_to_none=False)


@functools.lru_cache(maxsize=4096)
def _template(source: str):
    return ENV.from_string(source)


_NO_ATTRIBUTE = re.compile(r"has no attribute '(?P<name>[^']+)'")
_UNDEFINED = re.compile(r"'(?P<name>[^']+)' is undefined")


def _in_words(reason: str, expression: str) -> str:
    """Jinja's reason as a sentence about the workflow's own names: `'dict object' has no attribute 'name'` in
    `{{ input.name }}` becomes `"input" has no field "name"`."""
    if found := _NO_ATTRIBUTE.search(reason):
        name = found["name"]
        owner = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(name)}\b", expression)
        return f'"{owner.group(1)}" has no field "{name}"' if owner else f'there is no field "{name}"'
    if found := _UNDEFINED.search(reason):
        return f'nothing is called "{found["name"]}"'
    return reason


def _fail(value: str, path: str, reason: str) -> TemplateError:
    expression = value.strip()[:200]
    where = f"{path}: " if path else ""
    return TemplateError(
        f"{where}{expression} could not be filled in: {_in_words(reason, expression)}",
        details={"path": path, "expression": expression},
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
    token = start_budget()
    try:
        if match is None:
            return render_bounded(_template(value), context)
        result = _expression(match.group("expr").strip())(**context)
    except TemplateError as exc:
        raise _fail(value, path, exc.message) from None
    except JinjaTemplateError as exc:
        raise _fail(value, path, str(exc)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, MemoryError) as exc:
        raise _fail(value, path, f"{type(exc).__name__}: {exc}") from None
    finally:
        end_budget(token)
    return _plain(result, value, path)


def render_value(value: Any, context: dict, *, path: str) -> Any:
    """Render every string inside a JSON value; keys stay as written."""
    if isinstance(value, str):
        return render_string(value, context, path=path)
    if isinstance(value, dict):
        return {key: render_value(item, context, path=f"{path}.{key}" if path else key) for key, item in value.items()}
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
