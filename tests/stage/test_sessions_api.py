import pytest

from stage.models import FileVersion, Render, RenderArtifact, Session, Snapshot
from tests.support.renders import trigger
from tests.support.rest import api_publish, data, error, new_session, push

pytestmark = pytest.mark.django_db


def test_create_answers_201_with_an_opaque_random_id(api, user):
    response = api.post("/api/v1/stage/sessions", {"name": "my-app"}, format="json")
    assert response.status_code == 201
    session_id = data(response)["id"]
    assert len(session_id) >= 16 and session_id.isalnum()
    assert Session.objects.get(public_id=session_id).owner == user
    assert new_session(api) != session_id


def test_create_without_a_body_works_like_the_spec_curl(api):
    response = api.post("/api/v1/stage/sessions")
    assert response.status_code == 201


def test_create_refuses_unknown_fields_and_wrong_types(api):
    details = error(api.post("/api/v1/stage/sessions", {"nmae": "x"}, format="json"), 400, "VALIDATION_ERROR")
    assert "nmae" in details["details"]
    error(api.post("/api/v1/stage/sessions", {"name": ["x"]}, format="json"), 400, "VALIDATION_ERROR")
    error(api.post("/api/v1/stage/sessions", ["x"], format="json"), 400, "VALIDATION_ERROR")
    assert Session.objects.count() == 0


def test_malformed_json_is_400_and_names_the_problem(api):
    response = api.generic("POST", "/api/v1/stage/sessions", "{bad", content_type="application/json")
    assert "Malformed" in error(response, 400, "VALIDATION_ERROR")["message"]


def test_list_is_newest_first_paginated_and_only_mine(api, other_api):
    ids = [new_session(api, name=f"s{i}") for i in range(3)]
    new_session(other_api)
    page = data(api.get("/api/v1/stage/sessions?limit=2"))
    assert [s["id"] for s in page["results"]] == ids[::-1][:2]
    rest = data(api.get(page["next"]))
    assert [s["id"] for s in rest["results"]] == ids[:1]
    assert rest["next"] is None


def test_push_accepts_the_spec_form_and_the_sdk_form(api):
    session_id = new_session(api)
    assert data(push(api, session_id, {"/app/App.tsx": "a", "/app/x.ts": "b"})) == {
        "count": 2,
        "changed": 2,
        "unchanged": 0,
    }
    sdk_form = [{"path": "/app/App.tsx", "content": "a2"}, {"path": "/app/y.ts", "content": "c"}]
    assert data(push(api, session_id, sdk_form)) == {"count": 2, "changed": 2, "unchanged": 0}
    files = data(api.get(f"/api/v1/stage/sessions/{session_id}/files"))
    assert files == [
        {"path": "/app/App.tsx", "version": 2, "size": 2, "encoding": "utf-8"},
        {"path": "/app/x.ts", "version": 1, "size": 1, "encoding": "utf-8"},
        {"path": "/app/y.ts", "version": 1, "size": 1, "encoding": "utf-8"},
    ]


def test_pushing_files_again_as_they_are_makes_no_new_versions(api, django_capture_on_commit_callbacks):
    session_id = new_session(api)
    files = {"/app/App.tsx": "export default () => <p>hi</p>;", "/app/x.ts": "export const x = 1;"}
    data(push(api, session_id, files))

    again = data(push(api, session_id, {**files, "/app/x.ts": "export const x = 2;", "/app/new.ts": "new"}))

    assert again == {"count": 3, "changed": 2, "unchanged": 1}
    versions = {f["path"]: f["version"] for f in data(api.get(f"/api/v1/stage/sessions/{session_id}/files"))}
    assert versions == {"/app/App.tsx": 1, "/app/x.ts": 2, "/app/new.ts": 1}
    history = data(api.get(f"/api/v1/stage/sessions/{session_id}/history", {"path": "/app/App.tsx"}))
    assert [v["version"] for v in history] == [1]
    written = data(api.put(f"/api/v1/stage/sessions/{session_id}/files/app/App.tsx", {"content": files["/app/App.tsx"]},
                           format="json"))  # fmt: skip
    assert written["version"] == 1  # the same content through PUT: no new version either


def test_push_normalises_paths_and_counts_utf8_bytes(api):
    session_id = new_session(api)
    push(api, session_id, {"//app/./ünï.ts": "é"})
    assert data(api.get(f"/api/v1/stage/sessions/{session_id}/files")) == [
        {"path": "/app/ünï.ts", "version": 1, "size": 2, "encoding": "utf-8"}
    ]


@pytest.mark.parametrize(
    "files",
    [
        {"/app/ok.ts": "fine", "/app/../escape.ts": "x"},
        {"/app/ok.ts": "fine", "relative.ts": "x"},
        {"/app/ok.ts": "fine", "/app/nul\u0000.ts": "x"},
        {"/app/ok.ts": "fine", "/app/bad.ts": 42},
        {"/app/ok.ts": "fine", "/app/bad.ts": "nul \u0000 inside"},
        [{"path": "/app/ok.ts", "content": "fine"}, {"path": "/app/ok.ts", "content": "again"}],
        [{"path": "/app/ok.ts", "content": "fine"}, {"path": "/app/x.ts"}],
        [{"path": "/app/ok.ts", "content": "fine", "mode": "0755"}],
        "not files",
    ],
    ids=[
        "dotdot",
        "relative",
        "nul-path",
        "number-content",
        "nul-content",
        "duplicate",
        "no-content",
        "extra-key",
        "string",
    ],
)
def test_a_push_with_one_bad_file_writes_none(api, files):
    session_id = new_session(api)
    err = error(push(api, session_id, files), 400, "VALIDATION_ERROR")
    assert err["message"]
    assert FileVersion.objects.count() == 0


def test_validation_error_names_every_bad_path(api):
    session_id = new_session(api)
    err = error(push(api, session_id, {"/a/../b": "x", "c": "y", "/ok": "z"}), 400, "VALIDATION_ERROR")
    assert set(err["details"]["files"]) == {"/a/../b", "c"}
    assert "/a/../b" in err["message"]


def test_push_refuses_unknown_top_level_fields(api):
    session_id = new_session(api)
    response = api.post(f"/api/v1/stage/sessions/{session_id}/push", {"files": {}, "force": True}, format="json")
    error(response, 400, "VALIDATION_ERROR")


def test_read_a_file_latest_and_by_version(api):
    session_id = new_session(api)
    push(api, session_id, {"/app/App.tsx": "one"})
    push(api, session_id, {"/app/App.tsx": "two"})
    latest = data(api.get(f"/api/v1/stage/sessions/{session_id}/files/app/App.tsx"))
    assert {k: latest[k] for k in ("path", "content", "version", "size")} == {
        "path": "/app/App.tsx",
        "content": "two",
        "version": 2,
        "size": 3,
    }
    assert isinstance(latest["createdAt"], int)
    first = data(api.get(f"/api/v1/stage/sessions/{session_id}/files/app/App.tsx?version=1"))
    assert (first["content"], first["version"]) == ("one", 1)


def test_reading_missing_files_and_versions_is_404(api):
    session_id = new_session(api)
    push(api, session_id, {"/app/App.tsx": "one"})
    assert (
        "/app/Nope.tsx"
        in error(api.get(f"/api/v1/stage/sessions/{session_id}/files/app/Nope.tsx"), 404, "NOT_FOUND")["message"]
    )
    error(api.get(f"/api/v1/stage/sessions/{session_id}/files/app/App.tsx?version=9"), 404, "NOT_FOUND")
    error(api.get(f"/api/v1/stage/sessions/{session_id}/files/app/App.tsx?version=zero"), 400, "VALIDATION_ERROR")
    error(api.get(f"/api/v1/stage/sessions/{session_id}/files/app/App.tsx?version=0"), 400, "VALIDATION_ERROR")


def test_files_with_content(api):
    session_id = new_session(api)
    push(api, session_id, {"/a.ts": "A"})
    assert data(api.get(f"/api/v1/stage/sessions/{session_id}/files?content=1")) == [
        {"path": "/a.ts", "version": 1, "size": 1, "encoding": "utf-8", "content": "A"}
    ]


def test_put_writes_one_file_as_its_next_version(api):
    session_id = new_session(api)
    url = f"/api/v1/stage/sessions/{session_id}/files/app/App.tsx"
    assert data(api.put(url, {"content": "x"}, format="json")) == {"path": "/app/App.tsx", "version": 1, "size": 1}
    assert data(api.put(url, {"content": ""}, format="json")) == {"path": "/app/App.tsx", "version": 2, "size": 0}
    error(api.put(url, {}, format="json"), 400, "VALIDATION_ERROR")
    error(api.put(url, {"content": "x", "extra": 1}, format="json"), 400, "VALIDATION_ERROR")
    error(
        api.put(f"/api/v1/stage/sessions/{session_id}/files/app/..%2Fx", {"content": "x"}, format="json"),
        400,
        "VALIDATION_ERROR",
    )


def test_history_lists_every_version_newest_first(api):
    session_id = new_session(api)
    for content in ("a", "bb", "ccc"):
        push(api, session_id, {"/app/App.tsx": content})
    history = data(api.get(f"/api/v1/stage/sessions/{session_id}/history?path=/app/App.tsx"))
    assert [(h["version"], h["size"]) for h in history] == [(3, 3), (2, 2), (1, 1)]
    error(api.get(f"/api/v1/stage/sessions/{session_id}/history"), 400, "VALIDATION_ERROR")
    assert data(api.get(f"/api/v1/stage/sessions/{session_id}/history?path=/nope")) == []


def test_status_is_exactly_the_spec_shape(api):
    session_id = new_session(api)
    push(api, session_id, {"/app/App.tsx": "export default function App() { return <h1>Hello</h1>; }"})
    push(api, session_id, {"/app/App.tsx": "export default function App() { return <h1>Hello!</h1>; }"})
    status = data(api.get(f"/api/v1/stage/sessions/{session_id}/status"))
    assert set(status) == {"session", "render", "files"}
    assert set(status["session"]) == {"createdAt", "lastAccessedAt"}
    assert status["render"] is None
    assert status["files"] == [{"path": "/app/App.tsx", "version": 2, "size": 57}]
    api.post(f"/api/v1/stage/sessions/{session_id}/render", {"entry": "/app/App.tsx"}, format="json")
    render = data(api.get(f"/api/v1/stage/sessions/{session_id}/status"))["render"]
    assert {"entry", "version", "error", "renderedAt"} <= set(render)
    assert (render["entry"], render["version"]) == ("/app/App.tsx", 1)


def test_wrong_methods_are_405_in_the_envelope(api):
    session_id = new_session(api)
    error(api.delete(f"/api/v1/stage/sessions/{session_id}/status"), 405, "METHOD_NOT_ALLOWED")


def test_unknown_api_paths_are_404_in_the_envelope(api):
    error(api.get("/api/v1/stage/nothing-here"), 404, "NOT_FOUND")
    error(api.get("/api/v1/stage/sessions/abc/unknown"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "body",
    ['{"name": "\\ud800"}', '{"\\udfff": "x"}', '{"name": ["\\ud83d"]}'],
    ids=["value", "key", "nested"],
)
def test_lone_surrogates_are_refused_as_malformed_json(api, body):
    response = api.generic("POST", "/api/v1/stage/sessions", body, content_type="application/json")
    assert "Unicode" in error(response, 400, "VALIDATION_ERROR")["message"]
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    "session_id", ["%00", "k%00abc", "a%0Ab", "x" * 65, "k.k"], ids=["nul", "inner-nul", "newline", "long", "dot"]
)
def test_malformed_session_ids_are_404_not_500(api, session_id):
    error(api.get(f"/api/v1/stage/sessions/{session_id}/status"), 404, "NOT_FOUND")


def test_malformed_ids_in_convex_arguments_are_function_errors_not_500s(api):
    session_id = new_session(api)
    for kind, args in [
        ("query", {"path": "stage:getStatus", "args": {"sessionId": "k\u0000x"}}),
        ("query", {"path": "stage:getStatus", "args": {"sessionId": "k.x/../y"}}),
        ("mutation", {"path": "stage:restoreSnapshot", "args": {"sessionId": session_id, "snapshotId": "snap_\u0000"}}),
        ("mutation", {"path": "stage:restoreSnapshot", "args": {"sessionId": session_id, "snapshotId": "snap_%"}}),
    ]:
        response = api.post(f"/api/{kind}", args, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "error" and response.json()["errorMessage"]


def test_deeply_nested_json_is_400_not_500(api):
    body = "[" * 100_000 + "]" * 100_000
    response = api.generic("POST", "/api/v1/stage/sessions", body, content_type="application/json")
    assert "nested too deeply" in error(response, 400, "VALIDATION_ERROR")["message"]


def test_a_session_reads_whole_with_its_render_state_and_counts(api, django_capture_on_commit_callbacks):
    session_id = new_session(api, {"/app/App.tsx": "export default () => <p>hi</p>;", "/app/x.ts": "1"})
    assert data(api.get(f"/api/v1/stage/sessions/{session_id}/render")) is None
    trigger(api, session_id, django_capture_on_commit_callbacks)

    detail = data(api.get(f"/api/v1/stage/sessions/{session_id}"))

    assert detail["id"] == session_id and detail["render"]["status"] == "ready"
    assert detail["counts"] == {"files": 2, "snapshots": 0, "renders": 1, "messages": 0, "kvKeys": 0}
    render = data(api.get(f"/api/v1/stage/sessions/{session_id}/render"))
    assert render == detail["render"] and render["version"] == 1 and render["buildMs"] >= 0


def test_deleting_a_session_takes_everything_it_held(api, django_capture_on_commit_callbacks):
    session_id = new_session(api, {"/app/App.tsx": "export default () => <p>only here</p>;"})
    trigger(api, session_id, django_capture_on_commit_callbacks)
    api.post(f"/api/v1/stage/sessions/{session_id}/snapshots", {}, format="json")
    artifact = Render.objects.get(session__public_id=session_id).artifact_id

    answer = api.delete(f"/api/v1/stage/sessions/{session_id}")

    assert data(answer) == {"id": session_id, "deleted": True}
    assert api.get(f"/api/v1/stage/sessions/{session_id}").status_code == 404
    assert not FileVersion.objects.exists() and not Snapshot.objects.exists() and not Render.objects.exists()
    assert not RenderArtifact.objects.filter(pk=artifact).exists()


def test_an_artifact_another_session_shares_outlives_a_deleted_session(api, django_capture_on_commit_callbacks):
    files = {"/app/App.tsx": "export default () => <p>shared</p>;"}
    first, second = new_session(api, files), new_session(api, files)
    trigger(api, first, django_capture_on_commit_callbacks)
    trigger(api, second, django_capture_on_commit_callbacks)

    api.delete(f"/api/v1/stage/sessions/{first}")

    assert Render.objects.get(session__public_id=second).artifact is not None
    assert RenderArtifact.objects.count() == 1


def test_a_session_an_app_is_published_from_is_kept(api):
    app = api_publish(api)
    session_id = data(api.get(f"/api/v1/stage/apps/{app['sid']}"))["sessionId"]

    error(api.delete(f"/api/v1/stage/sessions/{session_id}"), 409, "CONFLICT")

    assert data(api.get(f"/api/v1/stage/sessions/{session_id}"))["counts"]["files"] > 0


def test_another_owners_session_cannot_be_read_or_deleted(api, other_api):
    session_id = new_session(api, {"/app/App.tsx": "x"})

    for call in (other_api.get, other_api.delete):
        error(call(f"/api/v1/stage/sessions/{session_id}"), 404, "NOT_FOUND")
    error(other_api.get(f"/api/v1/stage/sessions/{session_id}/render"), 404, "NOT_FOUND")
    assert data(api.get(f"/api/v1/stage/sessions/{session_id}"))["counts"]["files"] == 1


DISGUISED = ["/app/invoice\u202egnp.ts", "/app/a\u0085b.ts", "/app/\uff0e\uff0e/x.ts", "/app/\u2025/x"]


@pytest.mark.parametrize("path", DISGUISED)
def test_paths_unicode_would_disguise_are_refused_and_nothing_is_written(api, path):
    session_id = new_session(api)

    refused = error(push(api, session_id, {"/app/ok.ts": "fine", path: "x"}), 400, "VALIDATION_ERROR")

    assert path in refused["details"]["files"]
    assert data(api.get(f"/api/v1/stage/sessions/{session_id}/files")) == []


PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def test_binary_files_push_as_base64_and_read_back_the_same(api):
    session_id = new_session(api)
    logo = {"path": "/app/logo.png", "content": PNG, "encoding": "base64"}

    pushed = data(push(api, session_id, [logo, {"path": "/app/App.tsx", "content": "x"}]))

    assert pushed == {"count": 2, "changed": 2, "unchanged": 0}
    listed = {f["path"]: f for f in data(api.get(f"/api/v1/stage/sessions/{session_id}/files"))}
    assert listed["/app/logo.png"]["encoding"] == "base64" and listed["/app/logo.png"]["size"] == 70
    read = data(api.get(f"/api/v1/stage/sessions/{session_id}/files/app/logo.png"))
    assert (read["content"], read["encoding"], read["size"]) == (PNG, "base64", 70)
    assert data(push(api, session_id, [logo]))["unchanged"] == 1  # the same bytes: no new version
    written = api.put(
        f"/api/v1/stage/sessions/{session_id}/files/app/icon.png", {"content": PNG, "encoding": "base64"}, format="json"
    )
    assert data(written)["size"] == 70


@pytest.mark.parametrize("content", ["not base64!", "iVBORw0", "aGVsbG8=\n"])
def test_content_that_is_not_base64_is_refused_and_nothing_is_written(api, content):
    session_id = new_session(api)

    refused = error(push(api, session_id, [{"path": "/app/ok.ts", "content": "ok"},
                                           {"path": "/app/x.png", "content": content, "encoding": "base64"}]),
                    400, "VALIDATION_ERROR")  # fmt: skip

    assert "not valid base64" in refused["message"]
    assert data(api.get(f"/api/v1/stage/sessions/{session_id}/files")) == []


def test_binary_files_are_capped_by_their_bytes(api, settings):
    settings.STAGE_MAX_FILE_BYTES = 50
    session_id = new_session(api)

    error(push(api, session_id, [{"path": "/app/logo.png", "content": PNG, "encoding": "base64"}]), 413,
          "PAYLOAD_TOO_LARGE")  # fmt: skip
    error(push(api, session_id, [{"path": "/app/x.png", "content": "AA==", "encoding": "utf-16"}]), 400,
          "VALIDATION_ERROR")  # fmt: skip
