"""The Convex-style endpoint, called the way the public stage-cli calls it."""

import pytest

from stage.models import FileVersion
from tests.support.convex import convex_client_for, failure, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli(user):
    return convex_client_for(user)


@pytest.fixture
def other_cli(other_user):
    return convex_client_for(other_user)


def test_the_cli_flow_new_write_read_render_status(cli):
    session_id = value(cli, "mutation", "createSession")
    assert isinstance(session_id, str) and len(session_id) >= 16
    written = value(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/app/App.tsx", "content": "hi"})
    assert written == {"path": "/app/App.tsx", "version": 1, "size": 2}
    read = value(cli, "query", "readFile", {"sessionId": session_id, "path": "/app/App.tsx"})
    assert (read["path"], read["content"], read["version"]) == ("/app/App.tsx", "hi", 1)
    assert value(cli, "query", "readFile", {"sessionId": session_id, "path": "/app/None.tsx"}) is None
    # The CLI omits `entry` when the user gives none (JSON.stringify drops undefined).
    assert value(cli, "mutation", "triggerRender", {"sessionId": session_id}) == {"entry": "/app/App.tsx", "version": 1}
    assert value(cli, "mutation", "triggerRender", {"sessionId": session_id, "entry": "/app/App.tsx"})["version"] == 2
    state = value(cli, "query", "getRenderState", {"sessionId": session_id})
    assert (state["entry"], state["version"], state["error"]) == ("/app/App.tsx", 2, None)
    status = value(cli, "query", "getStatus", {"sessionId": session_id})
    assert set(status) == {"session", "render", "files"}
    assert status["files"] == [{"path": "/app/App.tsx", "version": 1, "size": 2}]


def test_files_history_and_versions(cli):
    session_id = value(cli, "mutation", "createSession", {"name": "cli"})
    for content in ("a", "bb"):
        value(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/x.ts", "content": content})
    files = value(cli, "query", "getAllFiles", {"sessionId": session_id})
    assert [(f["path"], f["content"], f["version"]) for f in files] == [("/x.ts", "bb", 2)]
    history = value(cli, "query", "getFileHistory", {"sessionId": session_id, "path": "/x.ts"})
    assert [h["version"] for h in history] == [2, 1] and all(isinstance(h["createdAt"], int) for h in history)
    old = value(cli, "query", "readFileAtVersion", {"sessionId": session_id, "path": "/x.ts", "version": 1})
    assert old["content"] == "a"
    assert value(cli, "query", "readFileAtVersion", {"sessionId": session_id, "path": "/x.ts", "version": 7}) is None


def test_snapshots_and_restore(cli):
    session_id = value(cli, "mutation", "createSession")
    value(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/x.ts", "content": "before"})
    snapshot_id = value(cli, "mutation", "createSnapshot", {"sessionId": session_id, "name": "v1"})
    assert snapshot_id.startswith("snap_")
    value(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/x.ts", "content": "after"})
    snapshots = value(cli, "query", "getSnapshots", {"sessionId": session_id})
    assert [(s["id"], s["name"]) for s in snapshots] == [(snapshot_id, "v1")] and isinstance(
        snapshots[0]["createdAt"], int
    )
    assert value(cli, "mutation", "restoreSnapshot", {"sessionId": session_id, "snapshotId": snapshot_id}) == {
        "restored": 1
    }
    assert value(cli, "query", "readFile", {"sessionId": session_id, "path": "/x.ts"})["content"] == "before"


def test_google_scopes_and_report_error(cli):
    session_id = value(cli, "mutation", "createSession")
    scopes = ["https://www.googleapis.com/auth/spreadsheets"]
    assert value(cli, "mutation", "setGoogleScopes", {"sessionId": session_id, "scopes": scopes}) == {"scopes": scopes}
    assert value(cli, "query", "getGoogleScopes", {"sessionId": session_id}) == {"scopes": scopes}
    assert "Not a Google OAuth scope" in failure(
        cli, "mutation", "setGoogleScopes", {"sessionId": session_id, "scopes": ["x"]}
    )
    assert failure(cli, "mutation", "reportError", {"sessionId": session_id, "error": "boom"}) == "Render not found"
    value(cli, "mutation", "triggerRender", {"sessionId": session_id})
    reported = value(cli, "mutation", "reportError", {"sessionId": session_id, "error": "TypeError: x is undefined"})
    assert reported["error"] == "TypeError: x is undefined"


@pytest.mark.parametrize(
    ("fn", "args", "expected"),
    [
        ("writeFile", {"path": "/x.ts", "content": "x"}, "sessionId: This field is required."),
        ("writeFile", {"sessionId": "k", "path": "/x.ts", "content": 5}, "content: Not a valid string."),
        ("writeFile", {"sessionId": "k", "path": "/x.ts", "content": "x", "mode": 1}, "mode: Unknown field."),
        (
            "readFileAtVersion",
            {"sessionId": "k", "path": "/x", "version": "one"},
            "version: A valid integer is required.",
        ),
    ],
    ids=["missing", "wrong-type", "unknown-key", "bad-int"],
)
def test_bad_arguments_name_the_problem(cli, fn, args, expected):
    kind = "query" if fn.startswith("read") else "mutation"
    message = failure(cli, kind, fn, args)
    assert message.startswith(f"stage:{fn}: invalid arguments") and expected in message


def test_bad_paths_are_function_errors_and_write_nothing(cli):
    session_id = value(cli, "mutation", "createSession")
    message = failure(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/../etc/passwd", "content": "x"})
    assert "'..'" in message
    assert FileVersion.objects.count() == 0


def test_unknown_functions_and_wrong_kinds(cli):
    assert "stage:dropDatabase" in failure(cli, "mutation", "dropDatabase")
    assert "/api/mutation" in failure(cli, "query", "writeFile", {"sessionId": "k", "path": "/x", "content": ""})
    assert "query" in failure(cli, "action", "getStatus", {"sessionId": "k"})


def test_another_owners_session_is_not_found(cli, other_cli):
    session_id = value(cli, "mutation", "createSession")
    value(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/x.ts", "content": "secret"})
    for kind, fn, args in [
        ("query", "readFile", {"path": "/x.ts"}),
        ("query", "getAllFiles", {}),
        ("query", "getStatus", {}),
        ("mutation", "writeFile", {"path": "/x.ts", "content": "overwrite"}),
        ("mutation", "triggerRender", {}),
        ("mutation", "createSnapshot", {}),
        ("query", "getGoogleScopes", {}),
    ]:
        assert failure(other_cli, kind, fn, {"sessionId": session_id, **args}) == "Session not found"
    assert value(cli, "query", "readFile", {"sessionId": session_id, "path": "/x.ts"})["content"] == "secret"


def test_no_key_is_a_real_401_with_code_and_message(anon_api):
    response = anon_api.post("/api/query", {"path": "stage:getStatus", "args": {"sessionId": "x"}}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED" and response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        '{"args": {}}',
        '{"path": 5}',
        '{"path": "stage:getStatus", "args": []}',
        "{nope",
        '{"path": "stage:x", "bogus": 1}',
    ],
    ids=["no-path", "path-number", "args-list", "bad-json", "unknown-key"],
)
def test_malformed_calls_are_a_real_400(cli, body):
    response = cli.generic("POST", "/api/query", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and response.json()["message"]


@pytest.mark.parametrize("version", ["2", 1.0, 2.5, True, 0])
def test_versions_are_strict_integers_as_in_the_rest_api(cli, version):
    session_id = value(cli, "mutation", "createSession")
    value(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/app/App.tsx", "content": "v1"})
    value(cli, "mutation", "writeFile", {"sessionId": session_id, "path": "/app/App.tsx", "content": "v2"})

    message = failure(
        cli, "query", "readFileAtVersion", {"sessionId": session_id, "path": "/app/App.tsx", "version": version}
    )

    assert "invalid arguments: version:" in message, message
