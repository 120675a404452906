"""The step registry: block name -> what it accepts and the function that runs it.

A block declares its required and optional fields (checked at deploy and at run time, before rendering),
a handler `run(ctx, config) -> output`, and `preview(ctx, config) -> output`, the output shape a dry run
hands to later steps without any side effect.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class StepContext:
    """What a block may use: the run, its app and version, the caller, and the step's position."""

    run: Any
    app: Any
    version: Any
    caller: Any
    index: int
    step_id: str
    block: str
    dry_run: bool = False
    # True when no earlier execution of this run can have written anything (a synchronous run's first pass).
    fresh: bool = False


@dataclass(frozen=True)
class Block:
    name: str
    required: frozenset[str]
    optional: frozenset[str]
    run: Callable[[StepContext, dict], Any]
    preview: Callable[[StepContext, dict], Any]
    description: str = ""

    @property
    def fields(self) -> frozenset[str]:
        return self.required | self.optional


_BLOCKS: dict[str, Block] = {}


def register(name: str, *, required=(), optional=(), preview: Callable[[StepContext, dict], Any]):
    """Decorator: register `run` as the block `name`."""

    def decorate(run: Callable[[StepContext, dict], Any]):
        _BLOCKS[name] = Block(
            name=name,
            required=frozenset(required),
            optional=frozenset(optional),
            run=run,
            preview=preview,
            description=(run.__doc__ or "").strip().splitlines()[0] if run.__doc__ else "",
        )
        return run

    return decorate


def get_block(name: str) -> Block | None:
    return _BLOCKS.get(name)


def block_names() -> list[str]:
    return sorted(_BLOCKS)
