"""The Convex-style function registry: `stage:<name>` -> kind, argument validator, handler."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rest_framework import serializers

Kind = Literal["query", "mutation", "action"]


@dataclass(frozen=True)
class ConvexFunction:
    path: str
    kind: Kind
    args: type[serializers.Serializer]
    handler: Callable[..., Any]


FUNCTIONS: dict[str, ConvexFunction] = {}


def convex_function(path: str, kind: Kind, args: type[serializers.Serializer]):
    """Register `handler(user, **args)` as the Convex function `path`."""

    def register(handler):
        assert path not in FUNCTIONS, f"{path} registered twice"
        FUNCTIONS[path] = ConvexFunction(path=path, kind=kind, args=args, handler=handler)
        return handler

    return register


def describe_errors(detail, prefix: str = "") -> list[str]:
    """Flatten DRF's nested validation errors into 'field: message' sentences."""
    if isinstance(detail, dict):
        return [line for key, value in detail.items() for line in describe_errors(value, f"{prefix}{key}.")]
    if isinstance(detail, list):
        return [line for item in detail for line in describe_errors(item, prefix)]
    return [f"{prefix.rstrip('.')}: {detail}" if prefix else str(detail)]
