"""client.stage.sessions against a live server: the spec's full example, every method, and the error paths."""

import asyncio
from pathlib import Path

import pytest
from stage_sdk import RenderTimeout, StageError, create_async_client
from stage_sdk.models import FileContent, SessionStatus

from tests.sdk.conftest import APP_TSX

DRIVE = "https://www.googleapis.com/auth/drive.readonly"


def test_the_specs_full_example_runs_as_written(client):
    # given a new session (sdk-stage.md "Full Example", in Python)
    session = client.stage.sessions.create(name="shiftcal-preview")

    # when files are pushed, scopes declared and a render triggered
    pushed = client.stage.sessions.push_files(session.id, [{"path": "/app/App.tsx", "content": APP_TSX}])
    scopes = client.stage.sessions.set_google_scopes(session.id, [DRIVE])
    rendered = client.stage.sessions.render(session.id)

    # then status and the file read back say what happened, in typed snake_case results
    status = client.stage.sessions.status(session.id)
    app_file = client.stage.sessions.read_file(session.id, "/app/App.tsx")
    assert pushed.count == 1
    assert scopes.scopes == [DRIVE]
    assert rendered.entry == "/app/App.tsx"
    assert rendered.version == 1
    assert isinstance(status, SessionStatus)
    assert status.render.version == 1
    assert [f.path for f in status.files] == ["/app/App.tsx"]
    assert status.session.created_at <= status.session.last_accessed_at
    assert isinstance(app_file, FileContent)
    assert app_file.content == APP_TSX
    assert len(app_file.content) == len(APP_TSX)
    assert client.stage.sessions.get_google_scopes(session.id).scopes == [DRIVE]


def test_push_accepts_the_mapping_form_and_history_and_versions_follow_writes(client):
    # given a file written three times through both push forms and a single write
    session_id = client.stage.sessions.create().id
    client.stage.sessions.push_files(session_id, {"/app/a.ts": "one", "/app/b.ts": "b"})
    client.stage.sessions.push_files(session_id, [{"path": "/app/a.ts", "content": "two"}])
    written = client.stage.sessions.write_file(session_id, "/app/a.ts", "three")

    # when the history and an older version are read
    history = client.stage.sessions.history(session_id, "/app/a.ts")
    old = client.stage.sessions.read_file(session_id, "/app/a.ts", version=1)

    # then every version is there, newest first, and old content is still readable
    assert written.version == 3
    assert [h.version for h in history] == [3, 2, 1]
    assert old.content == "one"
    assert old.version == 1
    assert {f.path for f in client.stage.sessions.files(session_id)} == {"/app/a.ts", "/app/b.ts"}


def test_snapshots_create_list_and_restore(client):
    # given a snapshot taken before a file changes
    session_id = client.stage.sessions.create().id
    client.stage.sessions.push_files(session_id, {"/app/App.tsx": "v1"})
    snap = client.stage.sessions.snapshots.create(session_id, "before")
    client.stage.sessions.write_file(session_id, "/app/App.tsx", "v2")

    # when it is restored
    restored = client.stage.sessions.snapshots.restore(session_id, snap.id)

    # then the file is back as a new version and the snapshot is listed
    assert snap.file_count == 1
    assert restored.restored == 1
    current = client.stage.sessions.read_file(session_id, "/app/App.tsx")
    assert (current.content, current.version) == ("v1", 3)
    assert [(s.id, s.name) for s in client.stage.sessions.snapshots.list(session_id)] == [(snap.id, "before")]


def test_errors_carry_the_servers_code_message_and_status(client):
    session_id = client.stage.sessions.create().id

    with pytest.raises(StageError) as missing_file:
        client.stage.sessions.read_file(session_id, "/app/Nope.tsx")
    with pytest.raises(StageError) as bad_scope:
        client.stage.sessions.set_google_scopes(session_id, ["not a scope"])
    with pytest.raises(StageError) as bad_path:
        client.stage.sessions.push_files(session_id, {"/app/../etc/passwd": "x"})

    assert (missing_file.value.code, missing_file.value.status) == ("NOT_FOUND", 404)
    assert missing_file.value.message
    assert (bad_scope.value.code, bad_scope.value.status) == ("VALIDATION_ERROR", 400)
    assert bad_scope.value.details
    assert (bad_path.value.code, bad_path.value.status) == ("VALIDATION_ERROR", 400)
    assert client.stage.sessions.files(session_id) == []  # nothing partial was written


def test_dot_segments_never_reach_another_file_or_endpoint(client):
    # given a secret at /secret.txt and a session id made of dots
    session_id = client.stage.sessions.create().id
    client.stage.sessions.push_files(session_id, {"/secret.txt": "s3cret", "/app/App.tsx": "x"})

    # when a path tries to climb out of /app, the server sees the dots and refuses; it never reads /secret.txt
    with pytest.raises(StageError) as climbed:
        client.stage.sessions.read_file(session_id, "/app/../secret.txt")
    with pytest.raises(StageError) as dotted:
        client.stage.sessions.status("..")

    assert climbed.value.status in (400, 404)
    assert dotted.value.status == 404
    with pytest.raises(StageError) as empty:
        client.stage.sessions.status("")
    assert empty.value.code == "VALIDATION_ERROR"


def test_another_owners_key_gets_not_found_and_no_key_gets_unauthorized(client, mallory, anonymous):
    session_id = client.stage.sessions.create().id
    client.stage.sessions.push_files(session_id, {"/app/App.tsx": "mine"})

    with pytest.raises(StageError) as theirs:
        mallory.stage.sessions.read_file(session_id, "/app/App.tsx")
    with pytest.raises(StageError) as overwrite:
        mallory.stage.sessions.push_files(session_id, {"/app/App.tsx": "theirs"})
    with pytest.raises(StageError) as nobody:
        anonymous.stage.sessions.create()

    assert (theirs.value.code, theirs.value.status) == ("NOT_FOUND", 404)
    assert overwrite.value.status == 404
    assert (nobody.value.code, nobody.value.status) == ("UNAUTHORIZED", 401)
    assert client.stage.sessions.read_file(session_id, "/app/App.tsx").content == "mine"


def test_the_async_client_has_the_same_surface(stage_url, alice_key):
    async def scenario():
        async with create_async_client(gateway_url=stage_url, api_key=alice_key) as client:
            session = await client.stage.sessions.create(name="async")
            await client.stage.sessions.push_files(session.id, {"/app/App.tsx": APP_TSX})
            rendered = await client.stage.sessions.render(session.id)
            status, file = await asyncio.gather(
                client.stage.sessions.status(session.id),
                client.stage.sessions.read_file(session.id, "/app/App.tsx"),
            )
            snap = await client.stage.sessions.snapshots.create(session.id)
            try:
                await client.stage.sessions.read_file(session.id, "/nope.ts")
            except StageError as exc:
                error = exc
            return rendered, status, file, snap, error

    rendered, status, file, snap, error = asyncio.run(scenario())
    assert rendered.version == 1
    assert [f.path for f in status.files] == ["/app/App.tsx"]
    assert file.content == APP_TSX
    assert snap.file_count == 1
    assert (error.code, error.status) == ("NOT_FOUND", 404)


def test_the_readme_sdk_example_runs_against_a_live_server(stage_url, alice_key, monkeypatch, capsys):
    # given the Python block of README.md's sdk section, pointed at the live server
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("<!-- section:sdk -->")[1].split("<!-- /section:sdk -->")[0]
    code = section.split("```python\n")[1].split("```")[0].replace("http://127.0.0.1:8000", stage_url)
    monkeypatch.setenv("STAGE_API_KEY", alice_key)

    # when it runs as written
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 (our own README, checked in)

    # then it printed what the spec's example prints
    out = capsys.readouterr().out
    assert "Session created: k" in out
    assert "Render version: 1" in out
    assert "Files: /app/App.tsx" in out
    assert "App.tsx content length: 62" in out
    assert out.splitlines()[-1].startswith("ver_")  # the production channel's version


@pytest.mark.parametrize(
    "path",
    ["/app/with space.tsx", "/app/q?x=1.ts", "/app/hash#frag.ts", "/app/pct%2e%2e.ts", "/app/ünï.ts"],
    ids=["space", "query", "fragment", "percent", "unicode"],
)
def test_url_characters_in_paths_round_trip_as_one_file(client, path):
    session_id = client.stage.sessions.create().id

    written = client.stage.sessions.write_file(session_id, path, "content")

    assert written.path == path
    assert client.stage.sessions.read_file(session_id, path).content == "content"
    assert [h.path for h in client.stage.sessions.history(session_id, path)] == [path]
    assert [f.path for f in client.stage.sessions.files(session_id)] == [path]


def test_wait_for_render_returns_the_finished_state_with_its_real_fields(client):
    session = client.stage.sessions.create()
    client.stage.sessions.push_files(session.id, {"/app/App.tsx": APP_TSX})
    version = client.stage.sessions.render(session.id).version

    done = client.stage.sessions.wait_for_render(session.id, version, timeout=30)

    assert (done.status, done.state, done.version, done.finished) == ("ready", "ready", version, True)
    assert done.build_ms is not None and done.error is None and done.error_locations is None
    client.stage.sessions.push_files(session.id, {"/app/App.tsx": "import x from 'nope';\nexport default x;\n"})
    client.stage.sessions.render(session.id)
    failed = client.stage.sessions.wait_for_render(session.id, timeout=30)
    assert failed.status == "failed" and failed.version == version + 1
    assert failed.error_locations[0]["file"] == "/app/App.tsx" and failed.error_locations[0]["line"] == 1
    assert failed.error_locations[0]["lineText"] == "import x from 'nope';"


def test_wait_for_render_async_and_the_session_detail(stage_url, alice_key):
    async def scenario():
        async with create_async_client(gateway_url=stage_url, api_key=alice_key) as client:
            session = await client.stage.sessions.create()
            await client.stage.sessions.push_files(session.id, {"/app/App.tsx": APP_TSX})
            version = (await client.stage.sessions.render(session.id)).version
            done = await client.stage.sessions.wait_for_render(session.id, version, timeout=30)
            detail = await client.stage.sessions.get(session.id)
            deleted = await client.stage.sessions.delete(session.id)
            return session.id, done, detail, deleted

    session_id, done, detail, deleted = asyncio.run(scenario())

    assert done.status == "ready"
    assert detail.id == session_id and detail.render.status == "ready" and detail.counts.files == 1
    assert (deleted.id, deleted.deleted) == (session_id, True)


@pytest.mark.worker
def test_wait_for_render_gives_up_after_its_timeout_while_no_worker_builds(client):
    session = client.stage.sessions.create()
    client.stage.sessions.push_files(session.id, {"/app/App.tsx": APP_TSX})
    client.stage.sessions.render(session.id)

    with pytest.raises(RenderTimeout) as waited:
        client.stage.sessions.wait_for_render(session.id, timeout=0.5)

    assert waited.value.code == "RENDER_TIMEOUT" and waited.value.state.status == "queued"
    assert "still queued" in waited.value.message
