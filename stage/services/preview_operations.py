"""What an app's frame may ask of the platform through its preview page (the browser `@stage/*` modules), by
operation name. The core domain's own (the key-value store, live data, messages: stage/preview/live.py) and
those plug-ins add (`pulse.track`, `ledger.audit`: workflows) answer through one endpoint per session; each
handler gets the session and the operation's parameters (a dict of the names it declared) and answers with a
JSON-able value."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stage.models import Session

Handler = Callable[[Session, dict], Any]


@dataclass(frozen=True)
class Operation:
    handler: Handler
    params: frozenset[str]  # the parameter names it takes; any other is refused


_operations: dict[str, Operation] = {}


def register_preview_operation(name: str, handler: Handler, *, params: tuple[str, ...] = ()) -> None:
    assert name not in _operations, f"{name} registered twice"
    _operations[name] = Operation(handler=handler, params=frozenset(params))


def preview_operation(name: str) -> Operation | None:
    return _operations.get(name)


def preview_operation_names() -> list[str]:
    return sorted(_operations)
