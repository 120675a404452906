"""The `stage` command line: sessions, files, renders, snapshots, apps and workflow runs, for people and agents.

Exit codes: 0 ok, 1 error, 2 usage error, 3 not found, 4 the render's build failed, 5 the render had not finished
building when `push` or `render` stopped waiting (--timeout).
"""

import sys

import click

from stage_sdk import __version__
from stage_sdk.cli import account, config, published_apps, sessions
from stage_sdk.cli.output import EXIT_ERROR, State, common, report_error
from stage_sdk.errors import StageError


class StageGroup(click.Group):
    """Turns a StageError anywhere below into its message on stderr and exit code 1 (3 for not found)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StageError as exc:
            ctx.exit(report_error(ctx.find_object(State), exc))


@click.group(cls=StageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-v", "--version", prog_name="stage")
@common
def cli(state: State):
    """Stage: sandbox sessions, renders and published apps, from the terminal."""


@cli.command("config")
@click.argument("name", required=False, type=click.Choice(sorted(config.KEYS)))
@click.argument("value", required=False)
@click.option("--unset", is_flag=True, help="Remove NAME from the config file.")
@common
def config_(state: State, name, value, unset):
    """Show the URL, key and session, or set one: `stage config url URL`, `stage config key -` (from stdin)."""
    if value is not None or unset:
        if name is None:
            raise click.UsageError("name the setting to change: url, key or session")
        if value == "-":
            value = sys.stdin.readline().strip()
        path = config.set_value(name, None if unset else value)
        shown = config.mask(value) if name == "key" else value
        state.emit({"name": name, "value": shown, "path": str(path)}, human=lambda: click.echo(f"{name} = {shown}"))
        return
    flags = {"url": state.url, "key": state.api_key, "session": state.session}
    rows = {}
    for key in [name] if name else sorted(config.KEYS):
        found, source = config.resolve(key, flags[key])
        rows[key] = {"value": config.mask(found) if key == "key" else found, "source": source}
    state.emit(
        {"path": str(config.config_path()), **rows},
        human=lambda: [click.echo(f"{key:8} {row['value'] or '-'}  ({row['source']})") for key, row in rows.items()],
        quiet=lambda: [click.echo(row["value"] or "") for row in rows.values()],
    )


for command in sessions.COMMANDS + published_apps.COMMANDS + account.COMMANDS:
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """The console script. Raises SystemExit with the exit code, as click does."""
    try:
        cli.main(args=argv, prog_name="stage")
    except KeyboardInterrupt:
        raise SystemExit(EXIT_ERROR) from None
