"""Session commands: new, write, read, ls, push, render, status, history, snapshot, restore, open."""

import base64
import posixpath
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from stage_sdk.cli import config
from stage_sdk.cli.output import State, bold, common, dim, read_stdin, success, warn, when
from stage_sdk.cli.renders import render_json, say, wait_options, waited

DEFAULT_ENTRY = "/app/App.tsx"
SKIPPED_DIRS = {"node_modules"}


@click.command()
@click.option("--name", help="A name for the session.")
@click.option("--no-save", is_flag=True, help="Do not remember it as the current session.")
@common
def new(state: State, name, no_save):
    """Create a session and make it the current one."""
    result = state.client().stage.sessions.create(name=name)
    url = f"{state.base_url()}/s/{result.id}"
    if not no_save:
        try:
            config.set_value("session", result.id)
        except OSError as exc:  # a read-only home must not lose the session just created
            warn(f"could not remember the session in {config.config_path()}: {exc}")
    state.emit(
        {"id": result.id, "url": url},
        human=lambda: (success(f"Session created: {result.id}"), click.echo(dim(f"  URL: {url}"))),
        quiet=lambda: click.echo(result.id),
    )


@click.command()
@click.argument("remote")
@click.argument("local", required=False)
@common
def write(state: State, remote, local):
    """Write one file: from LOCAL, or from stdin when LOCAL is - or absent."""
    content = read_stdin() if local in (None, "-") else _read_text(Path(local))
    session = state.session_id()
    written = state.client().stage.sessions.write_file(session, remote, content)
    state.emit(
        {"success": True, "path": written.path, "bytes": written.size, "version": written.version, "session": session},
        human=lambda: success(f"{written.path} ({written.size} bytes, v{written.version})"),
    )


@click.command()
@click.argument("remote")
@click.option("--version", "version", type=click.IntRange(min=1), help="An older version.")
@common
def read(state: State, remote, version):
    """Print a file's content."""
    session = state.session_id()
    found = state.client().stage.sessions.read_file(session, remote, version=version)

    def show():
        if found.encoding == "base64":  # a binary file: its bytes, as they were pushed
            sys.stdout.buffer.write(found.data)
            sys.stdout.buffer.flush()
        else:
            click.echo(found.content, nl=False)

    state.emit(
        {
            "path": found.path,
            "content": found.content,
            "encoding": found.encoding,
            "version": found.version,
            "session": session,
        },
        human=show,
        quiet=show,
    )


@click.command()
@click.argument("directory", default="/app", required=False)
@common
def ls(state: State, directory):
    """List the files under DIRECTORY (default /app)."""
    session = state.session_id()
    prefix = "/" + directory.strip("/")
    listed = sorted(
        f.path for f in state.client().stage.sessions.files(session) if prefix == "/" or f.path.startswith(prefix + "/")
    )
    state.emit(
        {"path": prefix, "files": listed, "count": len(listed), "session": session},
        human=lambda: click.echo("\n".join(listed) if listed else dim("(empty)")),
        quiet=lambda: listed and click.echo("\n".join(listed)),
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read {path}: {exc}") from exc


def collect(local: Path, remote_dir: str) -> tuple[dict[str, str], list[str]]:
    """The files to push as {remote path: text}, binary ones (images, fonts: not UTF-8 text) as
    {"content": base64, "encoding": "base64"}, and the local files that could not be read."""
    if local.is_file():
        candidates = [(local, local.name)]
    elif local.is_dir():
        candidates = []
        for path in sorted(local.rglob("*")):
            relative = path.relative_to(local)
            hidden = any(part.startswith(".") or part in SKIPPED_DIRS for part in relative.parts)
            if path.is_file() and not hidden:
                candidates.append((path, relative.as_posix()))
    else:
        raise click.UsageError(f"cannot read {local}: no such file or directory")
    files, skipped = {}, []
    for path, relative in candidates:
        try:
            raw = path.read_bytes()
        except OSError:
            skipped.append(str(path))
            continue
        try:
            files[posixpath.join(remote_dir, relative)] = raw.decode("utf-8")
        except UnicodeDecodeError:
            files[posixpath.join(remote_dir, relative)] = {
                "content": base64.b64encode(raw).decode(),
                "encoding": "base64",
            }
    return files, skipped


def batches(files: dict[str, str], size: int, max_bytes: int):
    """Split a push into requests of at most ``size`` files and about ``max_bytes`` of content."""
    batch, weight = {}, 0
    for path, content in files.items():
        cost = len(content["content"]) if isinstance(content, dict) else len(content.encode("utf-8"))
        if batch and (len(batch) >= size or weight + cost > max_bytes):
            yield batch
            batch, weight = {}, 0
        batch[path] = content
        weight += cost
    if batch:
        yield batch


def _as_items(chunk: dict) -> list[dict]:
    return [
        {"path": path, **(content if isinstance(content, dict) else {"content": content})}
        for path, content in chunk.items()
    ]


@click.command()
@click.argument("local_dir", type=click.Path(path_type=Path))
@click.argument("remote_dir", default="/app", required=False)
@click.option("-e", "--entry", help="Entry to render (default <remote-dir>/App.tsx).")
@click.option("--no-render", is_flag=True, help="Push without rendering.")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True, help="Files per request.")
@wait_options
@common
def push(state: State, local_dir, remote_dir, entry, no_render, batch_size, wait, timeout):
    """Push a local file or directory (one request per batch), then render and wait for the build."""
    remote_dir = "/" + remote_dir.strip("/")
    files, skipped = collect(local_dir, remote_dir)
    if not files:
        raise click.UsageError(f"no files found in {local_dir}")
    for path in skipped:
        warn(f"skipped {path} (could not be read)")
    session = state.session_id()
    sessions = state.client().stage.sessions
    chunks = list(batches(files, batch_size, 8 * 1024 * 1024))
    stderr = sys.stderr
    show_bar = not (state.json or state.quiet) and len(chunks) > 1 and stderr.isatty()
    bar = click.progressbar(length=len(files), label="Pushing", file=stderr) if show_bar else nullcontext()
    changed = unchanged = 0
    with bar:
        for chunk in chunks:
            pushed = sessions.push_files(session, _as_items(chunk))
            changed, unchanged = changed + pushed.changed, unchanged + pushed.unchanged
            if show_bar:
                bar.update(len(chunk))
    version, render, code = None, None, 0
    entry = entry or f"{remote_dir.rstrip('/')}/App.tsx"
    if not no_render:
        version = sessions.render(session, entry).version
        render, code = waited(state, session, version, wait=wait, timeout=timeout)
    paths = list(files)

    def human():
        counts = f"{changed} changed, {unchanged} unchanged"
        success(f"Pushed {len(paths)} file{'' if len(paths) == 1 else 's'} to {remote_dir} {dim(f'({counts})')}")
        for path in paths[:50]:
            click.echo(f"{click.style('●', fg='green')} {dim(path)}")
        if len(paths) > 50:
            click.echo(dim(f"  … and {len(paths) - 50} more"))
        if version is not None:
            say(render, version, entry, code, f"{state.base_url()}/s/{session}")

    data = {"success": code == 0, "files": paths, "count": len(paths), "version": version, "session": session}
    extra = {"changed": changed, "unchanged": unchanged, "requests": len(chunks), "skipped": skipped}
    state.emit({**data, **extra, **render_json(render)}, human=human)
    if code:
        click.get_current_context().exit(code)


@click.command()
@click.argument("entry", default=DEFAULT_ENTRY, required=False)
@wait_options
@common
def render(state: State, entry, wait, timeout):
    """Render ENTRY (default /app/App.tsx) and wait for the build; exit 4 when it fails."""
    session = state.session_id()
    result = state.client().stage.sessions.render(session, entry)
    render_state, code = waited(state, session, result.version, wait=wait, timeout=timeout)
    state.emit(
        {
            "success": code == 0,
            "entry": result.entry,
            "version": result.version,
            "session": session,
            **render_json(render_state),
        },
        human=lambda: say(render_state, result.version, result.entry, code, f"{state.base_url()}/s/{session}"),
        quiet=lambda: click.echo(render_state.status if render_state else "requested"),
    )
    if code:
        click.get_current_context().exit(code)


@click.command()
@common
def status(state: State):
    """The session's render state and files."""
    session = state.session_id()
    result = state.client().stage.sessions.status(session)
    render_state = result.render

    def human():
        click.echo(f"{bold('Session')} {dim(session)}")
        if render_state is None:
            click.echo(f"{bold('Render')} {dim('not rendered yet')}")
        else:
            colour = {"ready": "green", "failed": "red", "runtime error": "red"}.get(render_state.state, "yellow")
            took = f" built in {render_state.build_ms} ms" if render_state.build_ms is not None else ""
            label = click.style(render_state.state, fg=colour)
            click.echo(f"{bold('Render')} {label} {render_state.entry} v{render_state.version}{dim(took)}")
            if render_state.error:
                click.echo(render_state.error)
        click.echo(f"{bold('Files')} ({len(result.files)})")
        for f in result.files:
            click.echo(f"  {f.path} {dim(f'v{f.version} {f.size}b')}")

    state.emit(
        {"sessionId": session, **result.to_json()},
        human=human,
        quiet=lambda: click.echo(render_state.state if render_state else "none"),
    )


@click.command()
@click.argument("path")
@common
def history(state: State, path):
    """Every version of PATH, newest first."""
    session = state.session_id()
    versions = state.client().stage.sessions.history(session, path)

    def human():
        for v in versions:
            click.echo(f"v{v.version} {dim(f'{v.size}b')} {dim(when(v.created_at))}")

    state.emit({"path": path, "versions": [v.to_json() for v in versions], "session": session}, human=human)


@click.command()
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the session's snapshots instead.")
@common
def snapshot(state: State, name, list_):
    """Snapshot the session's files (or --list the snapshots)."""
    session = state.session_id()
    snapshots = state.client().stage.sessions.snapshots
    if list_:
        found = snapshots.list(session)
        state.emit(
            {"snapshots": [s.to_json() for s in found], "count": len(found), "session": session},
            human=lambda: [click.echo(f"{s.id} {s.name or ''} {dim(f'{s.file_count} files')}") for s in found],
            quiet=lambda: found and click.echo("\n".join(s.id for s in found)),
        )
        return
    created = snapshots.create(session, name)
    state.emit(
        {**created.to_json(), "session": session},
        human=lambda: success(f"Snapshot {created.id} ({created.file_count} files)"),
        quiet=lambda: click.echo(created.id),
    )


@click.command()
@click.argument("snapshot_id")
@common
def restore(state: State, snapshot_id):
    """Write a snapshot's files back as new versions."""
    session = state.session_id()
    result = state.client().stage.sessions.snapshots.restore(session, snapshot_id)
    state.emit(
        {"success": True, "restored": result.restored, "snapshotId": snapshot_id, "session": session},
        human=lambda: success(f"Restored {result.restored} files from {snapshot_id}"),
    )


@click.command("open")
@click.option("-b", "--browser", is_flag=True, help="Open it in a browser instead of printing it.")
@common
def open_(state: State, browser):
    """Print (or open) the session's preview URL."""
    session = state.session_id()
    url = f"{state.base_url()}/s/{session}"
    if browser:
        click.launch(url)
    state.emit({"url": url, "session": session}, human=lambda: click.echo(url), quiet=lambda: click.echo(url))


COMMANDS = [new, write, read, ls, push, render, status, history, snapshot, restore, open_]
