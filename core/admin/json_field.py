"""Structured editing for JSON fields in the admin.

`JSONEditorField`: a textarea holding pretty-printed JSON of an expected shape (an object or a list); a typo is a
form error saying what is wrong and where ("line 3, column 12"), never a bare "Enter a valid JSON".

`LinesField`: a list of strings as one item per line (a JSON array pasted in is read too), each line checked, an
error naming the line. Friendlier than JSON for scopes and model names.
"""

import json
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

MONOSPACE = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;width:min(60em,95%)"
SHAPES = {dict: "a JSON object ({...})", list: "a JSON array ([...])"}


def _rows(text: str, least: int = 3, most: int = 24) -> int:
    return max(least, min(most, text.count("\n") + 2))


class JSONEditorWidget(forms.Textarea):
    """A monospace textarea sized to its content."""

    def __init__(self, attrs=None):
        super().__init__({"style": MONOSPACE, "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["rows"] = _rows(context["widget"]["value"] or "")
        return context


def _decode_error(error: json.JSONDecodeError) -> ValidationError:
    return ValidationError(
        "Not valid JSON: %(problem)s at line %(line)s, column %(column)s.",
        code="invalid",
        params={"problem": error.msg, "line": error.lineno, "column": error.colno},
    )


class JSONEditorField(forms.JSONField):
    """JSON of one shape (`dict` or `list`; empty input is its empty value), shown pretty-printed. `shape=None` takes
    any JSON (empty input is None) and leaves the shape to whoever checks the value after it."""

    widget = JSONEditorWidget

    def __init__(self, *, shape: type | None = dict, **kwargs):
        self.shape = shape
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if value is None:
            return ""
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, cls=self.encoder)

    def to_python(self, value):
        if self.disabled:
            return value
        if value in self.empty_values:
            return self.shape() if self.shape else None
        if isinstance(value, str):
            try:
                value = json.loads(value, cls=self.decoder)
            except json.JSONDecodeError as error:
                raise _decode_error(error) from None
        if self.shape and not isinstance(value, self.shape):
            raise ValidationError(
                "Expected %(expected)s, got %(got)s.",
                code="shape",
                params={"expected": SHAPES[self.shape], "got": _kind_of(value)},
            )
        return value


def _kind_of(value) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


class LinesWidget(forms.Textarea):
    """One item per line."""

    def __init__(self, attrs=None):
        super().__init__({"style": MONOSPACE, "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["rows"] = _rows(context["widget"]["value"] or "", least=4)
        return context


class LinesField(forms.Field):
    """A list of distinct strings, one a line. `check(item)` answers a problem with the item, or None."""

    widget = LinesWidget

    def __init__(self, *, check: Callable[[str], str | None] | None = None, max_items=None, max_length=200, **kwargs):
        self.check, self.max_items, self.max_length = check, max_items, max_length
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if value in self.empty_values:
            return []
        if isinstance(value, list | tuple):
            return list(value)
        text = value.strip()
        if text.startswith("["):  # a JSON array pasted in
            try:
                items = json.loads(text)
            except json.JSONDecodeError as error:
                raise _decode_error(error) from None
            if not all(isinstance(item, str) for item in items):
                raise ValidationError("Expected a list of strings.", code="invalid")
            return list(dict.fromkeys(item.strip() for item in items if item.strip()))
        return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))

    def validate(self, value):
        super().validate(value)
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(
                "At most %(most)s lines; this has %(count)s.",
                code="max_items",
                params={"most": self.max_items, "count": len(value)},
            )
        problems = [
            ValidationError(
                "Line %(line)s (%(item)s): %(problem)s",
                code="item",
                params={"line": number, "item": item, "problem": problem},
            )
            for number, item in enumerate(value, start=1)
            if (problem := self._problem(item))
        ]
        if problems:
            raise ValidationError(problems)

    def _problem(self, item: str) -> str | None:
        if len(item) > self.max_length:
            return f"longer than {self.max_length} characters"
        if any(character.isspace() for character in item):
            return "contains a space (one item per line)"
        return self.check(item) if self.check else None
