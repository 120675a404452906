"""Output for people and agents: --json (stable shapes on stdout), -q (bare values), or short coloured lines.

click.echo drops the colours when stdout is not a terminal. Errors go to stderr with the server's message.
"""

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click

from stage_sdk.cli import config
from stage_sdk.client import Client, create_client
from stage_sdk.errors import StageError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_NOT_FOUND = 0, 1, 2, 3
EXIT_BUILD_FAILED, EXIT_RENDER_TIMEOUT = 4, 5  # the render's build failed; it had not finished when we stopped waiting


@dataclass
class State:
    """Options given on the group or on the command (the command's win)."""

    json: bool = False
    quiet: bool = False
    url: str | None = None
    api_key: str | None = None
    session: str | None = None
    _client: Client | None = None

    def base_url(self) -> str:
        return config.resolve("url", self.url)[0].rstrip("/")

    def client(self) -> Client:
        if self._client is None:
            self._client = create_client(self.base_url(), config.resolve("key", self.api_key)[0] or "")
            click.get_current_context().call_on_close(self._client.close)
        return self._client

    def session_id(self) -> str:
        value = config.resolve("session", self.session)[0]
        if not value:
            raise click.UsageError("no session: pass --session/-s, set STAGE_SESSION, or run `stage new` first")
        return value

    def emit(self, data: Any, human: Callable[[], None], quiet: Callable[[], None] | None = None) -> None:
        if self.json:
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        elif self.quiet:
            if quiet is not None:
                quiet()
        else:
            human()


pass_state = click.make_pass_decorator(State, ensure=True)


def _store(name: str):
    def callback(ctx: click.Context, _param, value):
        if value not in (None, False):
            setattr(ctx.ensure_object(State), name, value)
        return value

    return callback


def common(func):
    """--json, -q, -s, --url and --api-key on a command (they are accepted on the group too)."""
    options = [
        click.option("--json", "json_", is_flag=True, expose_value=False, callback=_store("json"), help="Output JSON."),
        click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_store("quiet"), help="Bare output."),
        click.option("-s", "--session", expose_value=False, callback=_store("session"), help="Session id."),
        click.option("-u", "--url", expose_value=False, callback=_store("url"), help="Stage server URL."),
        click.option("--api-key", expose_value=False, callback=_store("api_key"), help="API key."),
    ]
    for option in reversed(options):
        func = option(func)
    return pass_state(func)


def when(epoch_ms: int | None, *, now: float | None = None) -> str:
    """A moment as people say it: "just now", "5 min ago", "3 h ago", "yesterday", then the date; ahead of now,
    "in 5 min", "in 3 h", then the date. --json keeps the epoch milliseconds."""
    if epoch_ms is None:
        return "?"
    seconds = (time.time() if now is None else now) - epoch_ms / 1000
    ahead, span = seconds < 0, abs(seconds)
    if span < 45:
        return "in a moment" if ahead else "just now"
    for limit, size, unit in ((3600, 60, "min"), (86400, 3600, "h")):
        if span < limit:
            amount = f"{round(span / size)} {unit}"
            return f"in {amount}" if ahead else f"{amount} ago"
    if not ahead and span < 2 * 86400:
        return "yesterday"
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def success(message: str) -> None:
    click.echo(f"{click.style('✓', fg='green')} {message}")


def dim(text: str) -> str:
    return click.style(text, dim=True)


def bold(text: str) -> str:
    return click.style(text, bold=True)


def failure(message: str) -> None:
    click.echo(f"{click.style('✗', fg='red')} {message}", err=True)


def warn(message: str) -> None:
    click.echo(f"{click.style('⚠', fg='yellow')} {message}", err=True)


def report_error(state: State | None, exc: StageError) -> int:
    message = exc.message
    if exc.status == 401 and not config.resolve("key", state.api_key if state else None)[0]:
        message += " (no API key: set STAGE_API_KEY or run `stage config key -`)"
    click.echo(f"{click.style('✗', fg='red')} {message}", err=True)
    if state is not None and state.json:
        click.echo(json.dumps({"success": False, "error": exc.to_json()}, indent=2))
    return EXIT_NOT_FOUND if exc.status == 404 else EXIT_ERROR


def read_stdin() -> str:
    return sys.stdin.read()
