"""The `stage` CLI against a live server, through its click entry point with captured output, and as a process."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from stage_sdk.cli import cli
from stage_sdk.cli.sessions import batches

from tests.sdk.conftest import APP_TSX
from tests.sdk.scripted_server import JSON, ScriptedServer


@pytest.fixture
def stage(stage_url, alice_key, tmp_path, monkeypatch):
    """Run `stage ARGS...` as alice against the live server; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("STAGE_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("STAGE_URL", stage_url)
    monkeypatch.setenv("STAGE_API_KEY", alice_key)
    monkeypatch.delenv("STAGE_SESSION", raising=False)

    def run(*args, input=None, env=None):
        result = CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


def as_json(output: str):
    return json.loads(output)


@pytest.fixture
def app_dir(tmp_path) -> Path:
    root = tmp_path / "app"
    (root / "components").mkdir(parents=True)
    (root / "App.tsx").write_text(APP_TSX)
    (root / "components" / "Button.tsx").write_text("export const Button = () => <button>ok</button>;\n")
    (root / ".env").write_text("SECRET=1\n")
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / "node_modules" / "x" / "index.js").write_text("module.exports = 1;\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    return root


def test_the_quickstart_new_push_status_read_open(stage, stage_url, app_dir, tmp_path):
    # given a new session, remembered as the current one
    code, out, _ = stage("new", "--json")
    created = as_json(out)
    assert code == 0
    assert set(created) == {"id", "url"}
    assert created["url"] == f"{stage_url}/s/{created['id']}"
    assert json.loads((tmp_path / "config.json").read_text())["session"] == created["id"]

    # when a directory is pushed without naming the session
    code, out, err = stage("push", str(app_dir), "--json")
    pushed = as_json(out)

    # then its files land under /app (the image as base64), hidden files and node_modules stay home, and it rendered
    assert code == 0
    assert pushed["files"] == ["/app/App.tsx", "/app/components/Button.tsx", "/app/logo.png"]
    assert (pushed["success"], pushed["count"], pushed["version"], pushed["session"]) == (True, 3, 1, created["id"])
    assert pushed["skipped"] == [] and err == ""

    code, out, _ = stage("status", "--json")
    status = as_json(out)
    assert code == 0
    assert status["sessionId"] == created["id"]
    assert status["render"]["entry"] == "/app/App.tsx"
    assert status["render"]["version"] == 1
    assert [f["path"] for f in status["files"]] == ["/app/App.tsx", "/app/components/Button.tsx", "/app/logo.png"]

    assert stage("read", "/app/App.tsx") == (0, APP_TSX, "")
    assert stage("open", "-q")[1].strip() == created["url"]
    code, out, _ = stage("ls", "--json")
    assert as_json(out) == {
        "path": "/app",
        "files": ["/app/App.tsx", "/app/components/Button.tsx", "/app/logo.png"],
        "count": 3,
        "session": created["id"],
    }
    read = CliRunner().invoke(cli, ["read", "/app/logo.png"], catch_exceptions=False)
    assert read.exit_code == 0 and read.stdout_bytes == (app_dir / "logo.png").read_bytes()  # the same bytes back
    assert stage("ls", "/app/components", "-q")[1] == "/app/components/Button.tsx\n"


def test_push_sends_one_request_per_batch_and_can_skip_the_render(stage, tmp_path):
    session = stage("new", "-q")[1].strip()
    src = tmp_path / "many"
    src.mkdir()
    for index in range(5):
        (src / f"f{index}.ts").write_text(f"export const n = {index};\n")

    code, out, _ = stage("push", str(src), "/lib", "--no-render", "--batch-size", "2", "--json", "-s", session)
    pushed = as_json(out)

    assert code == 0
    assert (pushed["count"], pushed["requests"], pushed["version"]) == (5, 3, None)
    assert pushed["files"][0] == "/lib/f0.ts"
    assert as_json(stage("status", "--json")[1])["render"] is None


def test_write_read_history_snapshot_restore(stage, tmp_path):
    session = stage("new", "-q")[1].strip()
    local = tmp_path / "App.tsx"
    local.write_text("v1")

    assert as_json(stage("write", "/app/App.tsx", str(local), "--json")[1]) == {
        "success": True,
        "path": "/app/App.tsx",
        "bytes": 2,
        "version": 1,
        "session": session,
    }
    snap = as_json(stage("snapshot", "first", "--json")[1])
    assert stage("write", "/app/App.tsx", "-", input="v2 from stdin")[0] == 0
    assert stage("read", "/app/App.tsx", "-q")[1] == "v2 from stdin"
    assert as_json(stage("read", "/app/App.tsx", "--version", "1", "--json")[1])["content"] == "v1"

    history = as_json(stage("history", "/app/App.tsx", "--json")[1])
    assert [v["version"] for v in history["versions"]] == [2, 1]
    assert (snap["name"], snap["fileCount"], snap["session"]) == ("first", 1, session)
    listed = as_json(stage("snapshot", "--list", "--json")[1])
    assert [s["id"] for s in listed["snapshots"]] == [snap["id"]]

    restored = as_json(stage("restore", snap["id"], "--json")[1])
    assert (restored["restored"], restored["snapshotId"]) == (1, snap["id"])
    assert stage("read", "/app/App.tsx")[1] == "v1"


def test_render_and_human_output_is_short_and_plain_when_not_a_terminal(stage):
    stage("new", "-q")
    stage("write", "/app/Main.tsx", "-", input=APP_TSX)

    code, out, err = stage("render", "/app/Main.tsx")

    assert code == 0
    first, second = out.splitlines()
    assert re.fullmatch(r"✓ Rendered /app/Main\.tsx \(v1, built in \d+ ms\)", first), first
    assert second.startswith("  Preview: http://") and "/s/" in second
    assert "\x1b[" not in out
    assert err == ""
    assert as_json(stage("render", "--json")[1])["entry"] == "/app/App.tsx"


def test_a_failed_build_exits_4_and_says_where_with_the_line(stage, app_dir):
    stage("new", "-q")
    (app_dir / "App.tsx").write_text("import axios from 'axios';\nexport default () => <p>{String(axios)}</p>;\n")

    code, out, err = stage("push", str(app_dir))

    assert code == 4
    assert "✓ Pushed 3 files to /app (3 changed, 0 unchanged)" in out
    assert "✗ Build failed: /app/App.tsx (v1)" in err
    assert '/app/App.tsx:1:19: Import "axios" is not available in Stage' in err
    assert "    1 | import axios from 'axios';" in err
    code, out, _ = stage("render", "--json")
    rendered = as_json(out)
    assert code == 4 and (rendered["success"], rendered["status"]) == (False, "failed")
    assert rendered["render"]["errorLocations"][0]["line"] == 1
    code, out, _ = stage("status")
    assert code == 0 and "Render failed /app/App.tsx v2" in out
    assert stage("status", "-q")[1] == "failed\n"


def test_pushing_again_unchanged_says_so_and_still_renders(stage, app_dir):
    stage("new", "-q")
    stage("push", str(app_dir))

    code, out, _ = stage("push", str(app_dir), "--json")

    pushed = as_json(out)
    assert code == 0 and (pushed["changed"], pushed["unchanged"], pushed["status"]) == (0, 3, "ready")
    assert pushed["render"]["version"] == 2


def test_exit_codes_not_found_error_and_usage(stage, mallory_key, tmp_path):
    session = stage("new", "-q")[1].strip()
    stage("write", "/app/App.tsx", "-", input="mine")

    code, out, err = stage("read", "/app/Missing.tsx")
    assert (code, out) == (3, "")
    assert "not found" in err.lower()

    code, out, err = stage("read", "/app/App.tsx", "--json", env={"STAGE_API_KEY": mallory_key})
    assert code == 3
    assert as_json(out)["error"]["code"] == "NOT_FOUND"
    assert as_json(out)["success"] is False

    code, _, err = stage("status", env={"STAGE_API_KEY": ""})
    assert code == 1
    assert "STAGE_API_KEY" in err

    code, _, err = stage("write", "/app/x.ts", "-", "-s", session, input="x", env={"STAGE_API_KEY": "sk_forged"})
    assert code == 1

    code, _, err = stage("write", "/app/../../etc/passwd", "-", input="x")
    assert code == 1
    assert "VALIDATION" in err or "path" in err.lower()
    code, _, err = stage("write", "/app/invoice\u202egnp.ts", "-", input="x")
    assert code == 1 and "Unicode control or format characters" in err

    assert stage("status", env={"STAGE_CONFIG": str(tmp_path / "empty.json")})[0] == 2
    assert stage("push", str(tmp_path / "does-not-exist"))[0] == 2
    assert stage("run", "app_1", "wf", "--input", "{not json")[0] == 2
    assert stage("frobnicate")[0] == 2


def test_apps_commands_publish_deploy_promote_rollback(stage):
    session = stage("new", "-q")[1].strip()
    stage("write", "/app/App.tsx", "-", input=APP_TSX)

    code, out, _ = stage("apps", "publish", "--name", "shiftcal", "--description", "Calendar", "--json")
    app = as_json(out)
    assert code == 0
    assert (app["name"], app["sessionId"], app["status"]) == ("shiftcal", session, "active")
    sid = app["sid"]

    listed = as_json(stage("apps", "list", "--json")[1])
    assert (listed["count"], listed["apps"][0]["sid"]) == (1, sid)
    assert stage("apps", "list", "-q")[1] == f"{sid}\n"
    assert as_json(stage("apps", "get", sid, "--json")[1])["channels"]["production"]["version"] == 1
    label = sid.replace("_", "-")
    shown = stage("apps", "get", sid)[1]
    assert (
        f"production http://{label}.localhost\n" in shown and f"preview    http://{label}--preview.localhost" in shown
    )

    stage("write", "/app/App.tsx", "-", input=APP_TSX + "// v2\n")
    code, out, _ = stage("apps", "deploy", sid)
    assert code == 0 and out.startswith(f"✓ Deployed {sid} v2 (preview)")
    assert f"v2         http://{label}--v2.localhost" in out and f"http://{label}--preview.localhost" in out
    channels = as_json(stage("apps", "channels", sid, "--json")[1])
    assert (channels["preview"]["version"], channels["production"]["version"]) == (2, 1)

    code, out, _ = stage("apps", "promote", sid)
    assert code == 0 and f"production http://{label}.localhost\n" in out and f"http://{label}--v2.localhost" in out
    code, out, _ = stage("apps", "rollback", sid)
    assert code == 0
    assert out.startswith(f"✓ Rolled back {sid}")
    assert "production v1" in out and f"http://{label}--v1.localhost" in out
    code, out, _ = stage("apps", "preview-link", sid, "--version", "2", "--expires-in", "600")
    assert code == 0 and f"http://{label}--v2.localhost/?stage_preview=" in out and "valid until" in out
    assert stage("apps", "preview-link", sid, "-q")[1].startswith(f"http://{label}--preview.localhost/?stage_preview=")
    assert [v["version"] for v in as_json(stage("apps", "versions", sid, "--json")[1])["versions"]] == [2, 1]
    assert as_json(stage("apps", "history", sid, "--json")[1])["count"] >= 2

    assert stage("apps", "get", "app_nope")[0] == 3


def test_run_prints_the_workflows_answer(stage):
    answer = (200, JSON, {"success": True, "data": {"runId": "run_1", "status": "succeeded", "outputs": {}}}, 0)
    with ScriptedServer([answer]) as server:
        code, out, _ = stage("run", "app_1", "notify", "--input", '{"name": "Ada"}', "--json", "-u", server.url)

    assert code == 0
    assert as_json(out) == {
        "status": 200,
        "runId": "run_1",
        "data": {"runId": "run_1", "status": "succeeded", "outputs": {}},
    }
    assert server.requests[0]["body"] == {"input": {"name": "Ada"}}


def test_config_stores_url_key_and_session_owner_only_and_masks_the_key(stage, tmp_path):
    assert stage("config", "url", "https://stage.example.com")[0] == 0
    assert stage("config", "key", "-", input="sk_live_abcdefghijklmnop\n")[0] == 0

    path = tmp_path / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["key"] == "sk_live_abcdefghijklmnop"

    shown = as_json(stage("config", "--json", env={"STAGE_URL": "", "STAGE_API_KEY": ""})[1])
    assert shown["url"] == {"value": "https://stage.example.com", "source": f"file {path}"}
    assert shown["key"]["value"] == "sk_l…mnop"
    assert "abcdefgh" not in json.dumps(shown)
    assert as_json(stage("config", "url", "--json")[1])["url"]["source"] == "env STAGE_URL"
    assert stage("config", "session", "--unset")[0] == 0
    assert stage("config", "colour", "red")[0] == 2


def test_the_console_script_runs_as_a_process(stage_url, alice_key, tmp_path):
    env = {**os.environ, "STAGE_URL": stage_url, "STAGE_API_KEY": alice_key, "STAGE_CONFIG": str(tmp_path / "c.json")}
    script = Path(sys.executable).with_name("stage")

    new = subprocess.run([script, "new", "-q"], env=env, capture_output=True, text=True, timeout=60)
    missing = subprocess.run([script, "read", "/app/Nope.tsx"], env=env, capture_output=True, text=True, timeout=60)

    assert new.returncode == 0
    assert new.stdout.strip()
    assert missing.returncode == 3
    assert missing.stdout == ""
    assert "✗" in missing.stderr


def test_new_still_answers_when_the_config_file_cannot_be_written(stage, tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the config directory should be")

    code, out, err = stage("new", "-q", env={"STAGE_CONFIG": str(blocked / "config.json")})

    assert code == 0
    assert out.strip().startswith("k")
    assert "could not remember the session" in err


def test_the_session_can_come_from_stage_session_and_colours_are_kept_on_a_terminal(stage, stage_url, alice_key):
    session = stage("new", "-q", "--no-save")[1].strip()
    stage("write", "/app/App.tsx", "-", "-s", session, input=APP_TSX)

    code, out, _ = stage("status", "--json", env={"STAGE_SESSION": session})
    coloured = CliRunner().invoke(
        cli, ["render", "-s", session], color=True, env={"STAGE_URL": stage_url, "STAGE_API_KEY": alice_key}
    )

    assert code == 0
    assert as_json(out)["sessionId"] == session
    assert coloured.exit_code == 0
    assert "\x1b[32m✓\x1b[0m Rendered /app/App.tsx" in coloured.stdout


def test_push_batches_by_size_as_well_as_by_count():
    files = {f"/app/{i}.txt": "x" * 400 for i in range(5)}

    assert [len(batch) for batch in batches(files, size=500, max_bytes=1000)] == [2, 2, 1]
    assert [len(batch) for batch in batches(files, size=3, max_bytes=10**6)] == [3, 2]
    assert [len(batch) for batch in batches({"/big": "x" * 5000}, size=500, max_bytes=1000)] == [1]


@pytest.mark.worker
def test_with_no_worker_the_render_waits_then_exits_5_saying_it_is_still_queued(stage, app_dir):
    stage("new", "-q")

    code, out, err = stage("push", str(app_dir), "--timeout", "1")

    assert code == 5
    assert "Render v1 is still queued" in err and "Celery worker" in err
    assert "Rendered" not in out
    code, out, _ = stage("render", "--no-wait")
    assert code == 0 and "Render v2 of /app/App.tsx requested" in out
    assert "Render queued /app/App.tsx v2" in stage("status")[1]


def test_whoami_and_sessions(stage):
    first = stage("new", "-q", "--name", "first")[1].strip()
    second = stage("new", "-q", "--name", "second")[1].strip()

    code, out, _ = stage("whoami")
    assert code == 0 and out.startswith("alice ") and "key" in out and "server" in out
    assert stage("whoami", "-q")[1] == "alice\n"
    code, out, _ = stage("sessions")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(f"* {second} second") and lines[1].startswith(f"  {first} first")
    assert "just now" in lines[0]
    assert stage("sessions", "-q")[1] == f"{second}\n{first}\n"


def test_quiet_app_commands_print_their_ids_and_apps_update_archive_unarchive(stage):
    stage("new", "-q")
    stage("write", "/app/App.tsx", "-", input=APP_TSX)
    sid = stage("apps", "publish", "--name", "quiet", "-q")[1].strip()
    stage("write", "/app/App.tsx", "-", input=APP_TSX + "// v2\n")

    deployed = stage("apps", "deploy", sid, "-q")[1].strip()
    versions = stage("apps", "versions", sid, "-q")[1].split()
    promoted = stage("apps", "promote", sid, "-q")[1].strip()
    rolled = stage("apps", "rollback", sid, "-q")[1].strip()
    history = stage("apps", "history", sid, "-q")[1].splitlines()

    assert deployed.startswith("ver_") and versions[0] == deployed and len(versions) == 2
    assert promoted == deployed and rolled == versions[1]
    assert history[0] == "production v1" and "production v2" in history
    code, out, _ = stage("apps", "update", sid, "--name", "renamed")
    assert code == 0 and "Updated" in out and "renamed" in out
    assert stage("apps", "archive", sid, "--json")[1] and stage("apps", "get", sid, "--json")[0] == 0
    assert as_json(stage("apps", "get", sid, "--json")[1])["status"] == "archived"
    assert as_json(stage("apps", "unarchive", sid, "--json")[1])["status"] == "active"
    assert stage("apps", "update", sid)[0] == 2
    assert "ago" in stage("apps", "versions", sid)[1] or "just now" in stage("apps", "versions", sid)[1]


def test_apps_google_credentials_attach_show_and_remove_without_showing_secrets(stage):
    stage("new", "-q")
    stage("write", "/app/App.tsx", "-", input=APP_TSX)
    sid = stage("apps", "publish", "--name", "sheets", "-q")[1].strip()
    assert stage("apps", "google-credentials", sid)[1] == f"{sid}: no Google credentials\n"

    code, out, _ = stage(
        "apps", "google-credentials", sid, "--refresh-token", "-", "--client-id", "cid", "--client-secret", "cs",
        "--json", input="1//secret-refresh\n",
    )  # fmt: skip

    shown = as_json(out)
    assert code == 0 and (shown["configured"], shown["kind"], shown["clientId"]) == (True, "refresh_token", "cid")
    assert "secret-refresh" not in out and "cs" not in json.dumps(shown)
    assert stage("apps", "google-credentials", sid, "-q")[1] == "refresh_token\n"
    assert as_json(stage("apps", "google-credentials", sid, "--remove", "--json")[1])["configured"] is False
    assert (
        stage("apps", "google-credentials", sid, "--refresh-token", "x", "--service-account", "-", input="{}")[0] == 2
    )
