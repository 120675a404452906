"""`stage apps ...` and `stage run`: published apps, their channels, and workflow runs."""

import json
import sys

import click

from stage_sdk.cli.output import State, bold, common, dim, success, warn, when
from stage_sdk.models import App, Channels, VersionBackend


def _channel_line(channels: Channels | None) -> str:
    if channels is None:
        return ""
    parts = []
    for name in ("preview", "production"):
        pointer = getattr(channels, name)
        if pointer is not None:
            parts.append(f"{name} v{pointer.version} {dim(pointer.app_version_sid or '')}")
    return ", ".join(parts)


def _urls(*pairs: tuple[str, str | None]) -> None:
    """Indented `label  url` lines, one per URL known."""
    for label, url in pairs:
        if url:
            click.echo(f"  {dim(f'{label:<11}')}{url}")


def _warn_backend(backend: VersionBackend | None) -> None:
    """The deploy stands, but its backend does not compile: say where, as a compiler would."""
    if backend is None or backend.status != "failed" or not backend.error:
        return
    error = backend.error
    where = f"{error.get('file')}:{error.get('line')}:{error.get('column')}" if error.get("line") else error.get("file")
    warn(f"The backend does not compile; its API answers 500 until a fixed deploy: {where}: {error.get('message')}")


def _show_app(app: App) -> None:
    click.echo(f"{bold(app.sid)} {app.name} {dim(app.status)}")
    if app.description:
        click.echo(f"  {app.description}")
    if app.channels is not None:
        click.echo(f"  {_channel_line(app.channels)}")
    _urls(("production", app.url), ("preview", app.preview_url))


def _show_channels(message: str, channels: Channels) -> None:
    success(message)
    production = channels.production
    if production is not None:
        _urls(("production", production.url), (f"v{production.version}", production.version_url))


@click.group()
def apps():
    """Published apps: publish, list, get, update, archive, unarchive, deploy, versions, channels, promote, rollback,
    history, preview-link."""


@apps.command()
@click.option("--name", required=True, help="The app's name.")
@click.option("--description", help="A short description.")
@common
def publish(state: State, name, description):
    """Publish the current session as an app."""
    app = state.client().stage.apps.publish(session_id=state.session_id(), name=name, description=description)

    def human():
        success(f"Published {app.sid} ({app.name})")
        _urls(("production", app.url), ("preview", app.preview_url))

    state.emit(app.to_json(), human=human, quiet=lambda: click.echo(app.sid))


@apps.command("list")
@click.option("--author", help="Only apps by this author email.")
@click.option("--session-id", help="The app published from this session.")
@click.option("--status", type=click.Choice(["active", "archived"]), help="Only apps with this status.")
@common
def list_(state: State, author, session_id, status):
    """The caller's apps."""
    found = state.client().stage.apps.list(author=author, session_id=session_id, status=status)

    def human():
        if not found:
            click.echo(dim("(no apps)"))
        for app in found:
            _show_app(app)

    state.emit(
        {"apps": [app.to_json() for app in found], "count": len(found)},
        human=human,
        quiet=lambda: found and click.echo("\n".join(app.sid for app in found)),
    )


@apps.command()
@click.argument("sid")
@common
def get(state: State, sid):
    """One app, with its channels."""
    app = state.client().stage.apps.get(sid)
    state.emit(app.to_json(), human=lambda: _show_app(app), quiet=lambda: click.echo(app.sid))


@apps.command()
@click.argument("sid")
@click.option("--promote", is_flag=True, help="Move production to the new version too.")
@common
def deploy(state: State, sid, promote):
    """Deploy the session's current files as a new version (preview moves to it)."""
    result = state.client().stage.apps.deploy(sid, promote=promote)
    version, app = result.version, result.app
    number = version.version if version else "?"
    suffix = " (preview and production)" if promote else " (preview)"

    def human():
        success(f"Deployed {sid} v{number}{suffix}")
        _warn_backend(version and version.backend)
        _urls(
            (f"v{number}", version and version.url),
            ("preview", app and app.preview_url),
            ("production", promote and app and app.url),
        )

    state.emit(result.to_json(), human=human, quiet=lambda: click.echo(version.sid if version else ""))


@apps.command()
@click.argument("sid")
@click.option("--version", "app_version_sid", help="The version to promote (default: preview's).")
@common
def promote(state: State, sid, app_version_sid):
    """Point production at a version (no rebuild)."""
    channels = state.client().stage.apps.promote(sid, app_version_sid=app_version_sid)
    state.emit(
        channels.to_json(),
        human=lambda: _show_channels(f"Promoted {sid}: {_channel_line(channels)}", channels),
        quiet=lambda: _quiet_production(channels),
    )


@apps.command()
@click.argument("sid")
@common
def rollback(state: State, sid):
    """Point production back at its previous version."""
    channels = state.client().stage.apps.rollback(sid)
    message = f"Rolled back {sid}: {_channel_line(channels)}"
    state.emit(
        channels.to_json(), human=lambda: _show_channels(message, channels), quiet=lambda: _quiet_production(channels)
    )


@apps.command()
@click.argument("sid")
@common
def channels(state: State, sid):
    """Where preview and production point."""
    found = state.client().stage.apps.channels(sid)
    state.emit(found.to_json(), human=lambda: click.echo(_channel_line(found) or dim("(no channels)")))


@apps.command()
@click.argument("sid")
@common
def versions(state: State, sid):
    """The app's versions, newest first."""
    found = state.client().stage.apps.versions(sid)
    state.emit(
        {"versions": [v.to_json() for v in found], "count": len(found)},
        human=lambda: [
            click.echo(
                f"v{v.version} {v.sid} {dim(f'{len(v.files)} files, {when(v.created_at)}')} {v.url or ''}".rstrip()
            )
            for v in found
        ],
        quiet=lambda: found and click.echo("\n".join(v.sid for v in found)),
    )


@apps.command()
@click.argument("sid")
@common
def history(state: State, sid):
    """Every channel move, newest first."""
    moves = state.client().stage.apps.history(sid)
    state.emit(
        {"moves": [move.to_json() for move in moves], "count": len(moves)},
        human=lambda: [
            click.echo(
                f"{move.channel}: v{move.from_version or '-'} -> v{move.to_version} "
                f"{dim(f'{move.reason}, {when(move.created_at)}')}"
            )
            for move in moves
        ],
        quiet=lambda: moves and click.echo("\n".join(f"{m.channel} v{m.to_version}" for m in moves)),
    )


def _update(state: State, sid: str, message: str, **fields) -> None:
    app = state.client().stage.apps.update(sid, **fields)

    def human():
        success(message.format(app=app))
        _show_app(app)

    state.emit(app.to_json(), human=human, quiet=lambda: click.echo(app.sid))


@apps.command()
@click.argument("sid")
@click.option("--name", help="A new name.")
@click.option("--description", help="A new description.")
@click.option("--ui-entry", help="The file each version's UI is built from.")
@common
def update(state: State, sid, name, description, ui_entry):
    """Change an app's name, description or UI entry."""
    fields = {key: value for key, value in {"name": name, "description": description, "uiEntry": ui_entry}.items()}
    fields = {key: value for key, value in fields.items() if value is not None}
    if not fields:
        raise click.UsageError("give --name, --description or --ui-entry")
    _update(state, sid, "Updated {app.sid}", **fields)


@apps.command()
@click.argument("sid")
@common
def archive(state: State, sid):
    """Archive an app: its origins and its API stop answering; nothing is deleted."""
    _update(state, sid, "Archived {app.sid}", status="archived")


@apps.command()
@click.argument("sid")
@common
def unarchive(state: State, sid):
    """Bring an archived app back."""
    _update(state, sid, "Unarchived {app.sid}", status="active")


@apps.command("google-credentials")
@click.argument("sid")
@click.option(
    "--service-account", type=click.File("r"), help="A service account's JSON key file (- for stdin) to attach."
)
@click.option("--refresh-token", help="An OAuth refresh token to attach (- to read it from stdin).")
@click.option("--client-id", help="The OAuth client the refresh token was issued to.")
@click.option("--client-secret", help="That client's secret (- to read it from stdin).")
@click.option("--remove", is_flag=True, help="Remove the app's Google credentials.")
@common
def google_credentials(state: State, sid, service_account, refresh_token, client_id, client_secret, remove):
    """Show, attach or remove the Google account the app's Sheets steps act as (secrets are never shown)."""
    apps_api = state.client().stage.apps
    if remove:
        found = apps_api.remove_google_credentials(sid)
    elif service_account is not None or refresh_token is not None:
        if service_account is not None and refresh_token is not None:
            raise click.UsageError("give --service-account or --refresh-token, not both")
        try:
            key = json.load(service_account) if service_account is not None else None
        except ValueError as exc:
            raise click.UsageError(f"the service account key is not JSON: {exc}") from exc
        token, secret = (_stdin_if_dash(value) for value in (refresh_token, client_secret))
        found = apps_api.set_google_credentials(
            sid, service_account=key, refresh_token=token, client_id=client_id, client_secret=secret
        )
    else:
        found = apps_api.google_credentials(sid)

    def human():
        if not found.configured:
            click.echo(f"{sid}: no Google credentials")
            return
        who = found.client_email or found.client_id or ""
        success(f"{sid}: {found.kind} {who} {dim(f'(set {when(found.updated_at)})')}")

    state.emit(found.to_json(), human=human, quiet=lambda: click.echo(found.kind or "none"))


def _stdin_if_dash(value: str | None) -> str | None:
    return sys.stdin.readline().strip() if value == "-" else value


@apps.command("preview-link")
@click.argument("sid")
@click.option("--version", type=click.IntRange(min=1), help="Link to this version's own origin (default: preview).")
@click.option("--expires-in", type=click.IntRange(min=60), help="Seconds the link stays valid (default: a day).")
@common
def preview_link(state: State, sid, version, expires_in):
    """A signed, expiring link to the app's private preview (its UI and its API)."""
    link = state.client().stage.apps.preview_link(sid, version=version, expires_in=expires_in)

    def human():
        success(f"Preview link for {sid} (valid until {when(link.expires_at)})")
        click.echo(link.url)

    state.emit(link.to_json(), human=human, quiet=lambda: click.echo(link.url))


def _quiet_production(channels: Channels) -> None:
    production = channels.production
    click.echo(production.app_version_sid if production else "")


def _json_input(_ctx, _param, value):
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}") from exc


@click.command()
@click.argument("app_sid")
@click.argument("workflow")
@click.option("--input", "input_", callback=_json_input, help="The workflow input as JSON, e.g. '{\"a\": 1}'.")
@click.option("--idempotency-key", help="Repeat a run safely: the same key returns the same run.")
@click.option("--dry-run", is_flag=True, help="Validate and render every step without side effects.")
@common
def run(state: State, app_sid, workflow, input_, idempotency_key, dry_run):
    """Run a published app's workflow."""
    client = state.client()
    result = client.stage.run(app_sid, workflow, input_ or {}, idempotency_key=idempotency_key, dry_run=dry_run)
    body = json.dumps(result.data, indent=2, ensure_ascii=False)

    def human():
        detail = client.stage.runs.get(result.run_id) if result.run_id else None
        if detail is not None:
            note = " (dry run: every step rendered and checked, nothing sent or written)" if detail.dry_run else ""
            success(f"Run {detail.run_id} {detail.status}{note}")
            for step in detail.steps:
                click.echo(f"  {step.index} {step.id or step.block} {dim(step.block)} {step.status}")
                if detail.dry_run:
                    rendered = json.dumps(step.config, ensure_ascii=False)
                    click.echo(dim(f"      {rendered[:500]}"))
        click.echo(body)

    state.emit(
        {"status": result.status_code, "runId": result.run_id, "data": result.data},
        human=human,
        quiet=lambda: click.echo(result.run_id or body),
    )


COMMANDS = [apps, run]
