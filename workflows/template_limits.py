"""The Jinja2 environment workflow templates run in: the sandbox, with every way to build something big bounded.

A template is tenant code running in the platform's own process, so each operation that can build a string or a
sequence is checked before it allocates, against MAX_RESULT_CHARS: `*`, `+`, `**`, `%` and `~`, `str.format`,
the `format`, `join`, `replace`, `center`, `indent`, `batch` and `slice` filters; and the output is counted as it
streams. CPU is bounded by a work budget: every loop iteration and every element a filter walks costs one unit,
MAX_WORK per render. The globals that only produce work (`range`, `cycler`, `joiner`, `lipsum`, `namespace`) are
gone, and builtin lists and dicts are immutable (so a loop cannot grow one).
"""

import contextvars
import operator
import re
import types
from collections.abc import Callable, Iterable, Sized
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter

from workflows.errors import TemplateError

MAX_RESULT_CHARS = 1_000_000
MAX_WORK = 1_000_000
MAX_INT_BITS = 8 * MAX_RESULT_CHARS
REMOVED_GLOBALS = ("range", "cycler", "joiner", "lipsum", "namespace")
_work: contextvars.ContextVar[list[int]] = contextvars.ContextVar("template_work")
_DIGITS = re.compile(r"\d+")
# A printf conversion: %[(key)][flags][width][.precision][length]type
_PRINTF = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-#0 +]*)(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<type>.)"
)


class LimitExceeded(TemplateError):
    """A template went over a cap: too large a result, or too much work."""


def too_large(what: str = "result") -> TemplateError:
    return LimitExceeded(f"{what} too large (templates build at most {MAX_RESULT_CHARS:,} characters)")


def start_budget() -> contextvars.Token:
    return _work.set([MAX_WORK])


def end_budget(token: contextvars.Token) -> None:
    _work.reset(token)


def charge(units: int) -> None:
    """Spend work units of the current render; past the budget the render fails."""
    budget = _work.get(None)
    if budget is None:
        return
    budget[0] -= units
    if budget[0] < 0:
        raise LimitExceeded(f"too much work (templates may do at most {MAX_WORK:,} steps: loops and filters)")


def _work_of(value: Any) -> int:
    """What walking a value costs: an element each for collections; text runs at C speed, a unit per KiB."""
    if isinstance(value, str):
        return len(value) // 1024 + 1
    return len(value) if isinstance(value, Sized) else 0


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def _check_size(value: Any, what: str = "result") -> Any:
    if _size(value) > MAX_RESULT_CHARS:
        raise too_large(what)
    return value


def _check_spec(spec: str) -> None:
    """Widths and precisions in a format spec are bounded like everything else."""
    if any(int(digits) > MAX_RESULT_CHARS for digits in _DIGITS.findall(spec)):
        raise too_large("format width")


def percent_format(template: str, values: Any) -> str:
    """`template % values`, one conversion at a time, each checked before it is made."""
    args = values if isinstance(values, tuple) else (values,)
    mapping = values if isinstance(values, dict) else None
    position, produced, pieces, last = 0, 0, [], 0

    def next_arg():
        nonlocal position
        if position >= len(args):
            raise TemplateError("not enough arguments for format string")
        position += 1
        return args[position - 1]

    for match in _PRINTF.finditer(template):
        pieces.append(template[last : match.start()])
        last = match.end()
        if match["type"] == "%":
            pieces.append("%")
            continue
        width = next_arg() if match["width"] == "*" else int(match["width"] or 0)
        precision = next_arg() if match["precision"] == "*" else int(match["precision"] or 0)
        if not isinstance(width, int) or not isinstance(precision, int):
            raise TemplateError("* widths take integers")
        if max(abs(width), abs(precision)) > MAX_RESULT_CHARS:
            raise too_large("format width")
        value = mapping[match["key"]] if match["key"] is not None and mapping is not None else next_arg()
        spec = f"%{match['flags']}{width or ''}{'.' + str(precision) if match['precision'] else ''}{match['type']}"
        piece = spec % (value,)
        produced += len(piece)
        if produced > MAX_RESULT_CHARS:
            raise too_large()
        pieces.append(piece)
    pieces.append(template[last:])
    if mapping is None and position < len(args):
        raise TemplateError("not all arguments converted during string formatting")
    return _check_size("".join(pieces))


def bounded_join(values: Iterable[Any], separator: str = "") -> str:
    parts = [str(value) for value in values]
    charge(len(parts))
    if sum(map(len, parts)) + len(separator) * max(0, len(parts) - 1) > MAX_RESULT_CHARS:
        raise too_large()
    return separator.join(parts)


class _BoundedFormatter(SandboxedFormatter):
    """str.format through the sandbox, each field checked before it is formatted, the total as it grows."""

    def __init__(self, env):
        super().__init__(env)
        self.produced = 0

    def format_field(self, value: Any, format_spec: str) -> str:
        _check_spec(format_spec)
        text = super().format_field(value, format_spec)
        self.produced += len(text)
        if self.produced > MAX_RESULT_CHARS:
            raise too_large()
        return text


def _bounded_ops(left: Any, right: Any, name: str) -> Any:
    if name == "**":
        if isinstance(right, int | float) and abs(right) > 100:
            raise LimitExceeded("exponent too large")
        if isinstance(left, int) and isinstance(right, int) and abs(left).bit_length() * abs(right) > MAX_INT_BITS:
            raise too_large("number")
        return operator.pow(left, right)
    if name == "*":
        for count, sequence in ((right, left), (left, right)):
            repeats = isinstance(count, int) and isinstance(sequence, str | list | tuple)
            if repeats and len(sequence) * count > MAX_RESULT_CHARS:
                raise too_large()
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise too_large("number")
        return operator.mul(left, right)
    if name == "+":
        if isinstance(left, str | list | tuple) and _size(left) + _size(right) > MAX_RESULT_CHARS:
            raise too_large()
        return operator.add(left, right)
    if name == "%":
        if isinstance(left, str):
            return percent_format(left, right)
        return operator.mod(left, right)
    raise TemplateError(f"unsupported operator {name}")  # pragma: no cover (only the ones intercepted arrive)


def _counted(values: Iterable[Any]) -> Iterable[Any]:
    """A loop's iterable, one unit of work per iteration."""
    for value in values:
        charge(1)
        yield value


def _filter_center(value: Any, width: int = 80) -> str:
    if isinstance(width, int) and width > MAX_RESULT_CHARS:
        raise too_large()
    return str(value).center(width)


def _filter_indent(value: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    prefix = " " * width if isinstance(width, int) else str(width)
    if len(str(value)) + len(prefix) * (str(value).count("\n") + 1) > MAX_RESULT_CHARS:
        raise too_large()
    return _ORIGINAL_FILTERS["indent"](value, width, first, blank)


def _filter_replace(eval_ctx, value: str, old: str, new: str, count: int | None = None) -> str:
    text, old, new = str(value), str(old), str(new)
    occurrences = len(text) + 1 if old == "" else text.count(old)
    if count is not None:
        occurrences = min(occurrences, count)
    if len(text) + occurrences * (len(new) - len(old)) > MAX_RESULT_CHARS:
        raise too_large()
    return _ORIGINAL_FILTERS["replace"](eval_ctx, value, old, new, count)


def _filter_join(eval_ctx, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    if attribute is not None:
        return _check_size(_ORIGINAL_FILTERS["join"](eval_ctx, value, d, attribute))
    return bounded_join(value, str(d))


def _filter_format(value: str, *args: Any, **kwargs: Any) -> str:
    if args and kwargs:
        raise TemplateError("format takes positional or keyword arguments, not both")
    return percent_format(str(value), kwargs or (args[0] if len(args) == 1 and isinstance(args[0], dict) else args))


def _filter_batch(value: Iterable[Any], linecount: int, fill_with: Any = None):
    if not isinstance(linecount, int) or linecount > MAX_RESULT_CHARS:
        raise too_large()
    return _ORIGINAL_FILTERS["batch"](value, linecount, fill_with)


def _filter_slice(value: Iterable[Any], slices: int, fill_with: Any = None):
    if not isinstance(slices, int) or slices > MAX_RESULT_CHARS:
        raise too_large()
    return _ORIGINAL_FILTERS["slice"](value, slices, fill_with)


_ORIGINAL_FILTERS: dict[str, Callable] = {}
_REPLACED_FILTERS = {
    "center": _filter_center,
    "indent": _filter_indent,
    "replace": _filter_replace,
    "join": _filter_join,
    "format": _filter_format,
    "batch": _filter_batch,
    "slice": _filter_slice,
}


def _charging(name: str, function: Callable) -> Callable:
    """A filter that costs one unit per element it is given, and whose result is size-checked."""
    passes_context = hasattr(function, "jinja_pass_arg")  # Jinja hands it a context first

    def bounded(*args: Any, **kwargs: Any) -> Any:
        if len(args) > passes_context:
            charge(_work_of(args[1 if passes_context else 0]))
        return _check_size(function(*args, **kwargs))

    if passes_context:
        bounded.jinja_pass_arg = function.jinja_pass_arg
    bounded.__name__ = name
    return bounded


# String methods whose result is no larger than the string (or a bounded format): the rest (ljust, zfill, join,
# replace, expandtabs, ...) could build far more than they are given, and have bounded filters instead.
SAFE_STR_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "format", "format_map", "index", "isalnum", "isalpha",
    "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle",
    "isupper", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind", "rindex", "rpartition",
    "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper",
})  # fmt: skip


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and callable(value) and attr not in SAFE_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def __init__(self, **options: Any):
        super().__init__(**options)
        for name in REMOVED_GLOBALS:
            self.globals.pop(name, None)
        _ORIGINAL_FILTERS.update({name: self.filters[name] for name in _REPLACED_FILTERS})
        for name, function in _REPLACED_FILTERS.items():
            if hasattr(_ORIGINAL_FILTERS[name], "jinja_pass_arg"):
                function.jinja_pass_arg = _ORIGINAL_FILTERS[name].jinja_pass_arg
        self.filters = {name: _charging(name, fn) for name, fn in {**self.filters, **_REPLACED_FILTERS}.items()}
        self.filters["_stage_counted"] = _counted

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        return _bounded_ops(left, right, operator_name)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if not isinstance(value, types.MethodType | types.BuiltinMethodType) or value.__name__ not in (
            "format",
            "format_map",
        ):
            return None
        template = value.__self__
        if not isinstance(template, str):
            return None
        if value.__name__ == "format_map":
            return lambda mapping: _BoundedFormatter(self).vformat(template, (), mapping)
        return lambda *args, **kwargs: _BoundedFormatter(self).vformat(template, args, kwargs)

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        """Before code is generated (templates and expressions alike): every loop's iterable counts its
        iterations, and every `~` becomes a bounded join."""
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_stage_counted", [], [], None, None, lineno=loop.lineno)
        for concat in list(source.find_all(nodes.Concat)):
            joined = nodes.Filter(nodes.List(concat.nodes), "join", [], [], None, None, lineno=concat.lineno)
            _replace_node(source, concat, joined)
        return super()._generate(source, *args, **kwargs)


def _replace_node(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    for node in tree.find_all(nodes.Node):
        for field in node.fields:
            value = getattr(node, field, None)
            if value is old:
                setattr(node, field, new)
            elif isinstance(value, list) and any(item is old for item in value):
                setattr(node, field, [new if item is old else item for item in value])


def render_bounded(template, context: dict) -> str:
    """Render a template, counting its output as it streams."""
    produced, pieces = 0, []
    for piece in template.generate(**context):
        produced += len(piece)
        if produced > MAX_RESULT_CHARS:
            raise too_large()
        pieces.append(piece)
    return "".join(pieces)
