"""`stage whoami`, `stage sessions` and `stage runs`: who you are, and what you have."""

import json

import click

from stage_sdk.cli import config
from stage_sdk.cli.output import State, bold, common, dim, when


@click.command()
@common
def whoami(state: State):
    """The account the API key belongs to, the key, and the server."""
    me = state.client().stage.me()
    state.emit(
        {**me.to_json(), "url": state.base_url()},
        human=lambda: click.echo(
            f"{bold(me.username)} {dim(me.email or '(no email)')}{' (staff)' if me.staff else ''}\n"
            f"  {dim('key')}    {me.key_name or '(unnamed)'} {dim(me.key_prefix + '…')}\n"
            f"  {dim('server')} {state.base_url()}"
        ),
        quiet=lambda: click.echo(me.username),
    )


@click.command()
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True, help="How many, newest first.")
@common
def sessions(state: State, limit):
    """Your sessions, newest first (the current one marked)."""
    found = state.client().stage.sessions.list(limit=limit)
    current = config.resolve("session", state.session)[0]

    def human():
        if not found:
            click.echo(dim("(no sessions)"))
        for session in found:
            mark = "*" if session.id == current else " "
            click.echo(f"{mark} {session.id} {session.name or dim('(unnamed)')} {dim(when(session.last_accessed_at))}")

    state.emit(
        {"sessions": [s.to_json() for s in found], "count": len(found)},
        human=human,
        quiet=lambda: found and click.echo("\n".join(s.id for s in found)),
    )


STATUS_COLOURS = {"succeeded": "green", "failed": "red", "running": "yellow", "queued": "yellow"}


def _status(status: str) -> str:
    return click.style(status, fg=STATUS_COLOURS.get(status))


@click.group()
def runs():
    """Workflow runs: list an app's, show one with its steps."""


@runs.command("list")
@click.argument("app_sid")
@click.option("--workflow", help="Only runs of this workflow.")
@click.option("--status", help="Only runs with this status (queued, running, succeeded, failed).")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@common
def list_(state: State, app_sid, workflow, status, limit):
    """An app's runs, newest first."""
    found = state.client().stage.runs.list(app_sid, workflow=workflow, status=status, limit=limit)

    def human():
        if not found:
            click.echo(dim("(no runs)"))
        for run in found:
            took = f", {run.duration_ms:.0f} ms" if run.duration_ms is not None else ""
            dry = " (dry run)" if run.dry_run else ""
            click.echo(f"{run.run_id} {run.workflow} {_status(run.status)}{dry} {dim(when(run.created_at) + took)}")

    state.emit(
        {"runs": [r.to_json() for r in found], "count": len(found)},
        human=human,
        quiet=lambda: found and click.echo("\n".join(r.run_id for r in found)),
    )


@runs.command()
@click.argument("run_id")
@common
def show(state: State, run_id):
    """One run: its status, input, each step with its rendered configuration, output or error."""
    run = state.client().stage.runs.get(run_id)

    def human():
        dry = " (dry run: nothing was sent or written)" if run.dry_run else ""
        click.echo(f"{bold(run.run_id)} {run.app_sid} {run.workflow} {_status(run.status)}{dry}")
        click.echo(dim(f"  started {when(run.created_at)} by {run.caller}"))
        if run.error:
            click.echo(click.style(f"  error: {_text(run.error)}", fg="red"))
        for step in run.steps:
            took = f"{step.duration_ms:.0f} ms" if step.duration_ms is not None else ""
            click.echo(f"  {step.index} {step.id or step.block} {dim(step.block)} {_status(step.status)} {dim(took)}")
            if step.error:
                click.echo(click.style(f"      {_text(step.error)}", fg="red"))

    state.emit(run.to_json(), human=human, quiet=lambda: click.echo(run.status))


def _text(error) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or json.dumps(error, ensure_ascii=False))
    return str(error)


COMMANDS = [whoami, sessions, runs]
