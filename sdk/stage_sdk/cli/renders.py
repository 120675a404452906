"""Waiting for a render's build and saying how it went: shared by `push` and `render`."""

import click

from stage_sdk.cli.output import EXIT_BUILD_FAILED, EXIT_RENDER_TIMEOUT, State, dim, failure, success, warn
from stage_sdk.errors import RenderTimeout
from stage_sdk.models import RenderState

DEFAULT_TIMEOUT = 60.0


def wait_options(func):
    """--wait/--no-wait and --timeout on a command that triggers a render."""
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Seconds to wait for the build.",
    )(func)
    return click.option(
        "--wait/--no-wait", default=True, help="Wait for the build and report it (default), or return at once."
    )(func)


def waited(state: State, session: str, version: int, *, wait: bool, timeout: float) -> tuple[RenderState | None, int]:
    """The render's state once its build finished (None when not waiting), and the exit code it calls for."""
    if not wait:
        return None, 0
    try:
        render = state.client().stage.sessions.wait_for_render(session, version, timeout=timeout)
    except RenderTimeout as exc:
        return exc.state, EXIT_RENDER_TIMEOUT
    return render, EXIT_BUILD_FAILED if render.status == "failed" else 0


def say(render: RenderState | None, version: int, entry: str, code: int, url: str) -> None:
    """The outcome in a line or two: built and where to see it, or what broke and where, or still waiting."""
    if render is None:
        success(f"Render v{version} of {entry} requested {dim('(not waiting: `stage status` tells how it went)')}")
    elif code == EXIT_RENDER_TIMEOUT:
        warn(f"Render v{version} is still {render.status}: its build had not finished (is a Celery worker running?)")
    elif render.status == "failed":
        failure(f"Build failed: {render.entry} (v{render.version})")
        click.echo(render.error or "", err=True)
    else:
        took = f", built in {render.build_ms} ms" if render.build_ms is not None else ""
        success(f"Rendered {render.entry} {dim(f'(v{render.version}{took})')}")
        click.echo(dim(f"  Preview: {url}"))


def render_json(render: RenderState | None) -> dict:
    return {"render": render.to_json() if render is not None else None, "status": render.status if render else None}
