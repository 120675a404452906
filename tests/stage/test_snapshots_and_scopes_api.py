import pytest

from stage.models import FileVersion
from tests.support.rest import data, error, new_session, push

pytestmark = pytest.mark.django_db


def test_snapshot_references_versions_and_restore_writes_new_ones(api):
    session_id = new_session(api)
    push(api, session_id, {"/app/App.tsx": "v1", "/app/util.ts": "u1"})
    before = FileVersion.objects.count()
    created = api.post(f"/api/v1/stage/sessions/{session_id}/snapshots", {"name": "before-refactor"}, format="json")
    assert created.status_code == 201
    snapshot = data(created)
    assert snapshot["id"].startswith("snap_") and snapshot["fileCount"] == 2
    assert FileVersion.objects.count() == before, "a snapshot copies no content"

    push(api, session_id, {"/app/App.tsx": "v2", "/app/new.ts": "n"})
    restored = api.post(f"/api/v1/stage/sessions/{session_id}/snapshots/{snapshot['id']}/restore")
    assert data(restored) == {"restored": 2}
    files = {f["path"]: f for f in data(api.get(f"/api/v1/stage/sessions/{session_id}/files?content=1"))}
    assert (files["/app/App.tsx"]["content"], files["/app/App.tsx"]["version"]) == ("v1", 3)
    # unchanged since the snapshot: it already holds the snapshot's content, so no new version
    assert (files["/app/util.ts"]["content"], files["/app/util.ts"]["version"]) == ("u1", 1)
    assert files["/app/new.ts"]["content"] == "n", "files added after the snapshot are kept"

    listed = data(api.get(f"/api/v1/stage/sessions/{session_id}/snapshots"))
    assert [(s["id"], s["name"], s["fileCount"]) for s in listed] == [(snapshot["id"], "before-refactor", 2)]
    detail = data(api.get(f"/api/v1/stage/sessions/{session_id}/snapshots/{snapshot['id']}"))
    assert detail["name"] == "before-refactor" and detail["fileCount"] == 2
    assert detail["files"] == [
        {"path": "/app/App.tsx", "version": 1, "size": 2},
        {"path": "/app/util.ts", "version": 1, "size": 2},
    ]


def test_restoring_an_unknown_snapshot_is_404(api):
    session_id = new_session(api)
    error(api.post(f"/api/v1/stage/sessions/{session_id}/snapshots/snap_nope/restore"), 404, "NOT_FOUND")


def test_a_snapshot_of_another_session_is_404(api, other_api):
    first, second = new_session(api), new_session(api)
    snapshot = data(api.post(f"/api/v1/stage/sessions/{first}/snapshots", {}, format="json"))
    error(api.post(f"/api/v1/stage/sessions/{second}/snapshots/{snapshot['id']}/restore"), 404, "NOT_FOUND")
    error(api.get(f"/api/v1/stage/sessions/{second}/snapshots/{snapshot['id']}"), 404, "NOT_FOUND")
    error(other_api.get(f"/api/v1/stage/sessions/{first}/snapshots/{snapshot['id']}"), 404, "NOT_FOUND")


def test_google_scopes_round_trip(api):
    session_id = new_session(api)
    url = f"/api/v1/stage/sessions/{session_id}/google-scopes"
    assert data(api.get(url)) == {"scopes": []}
    scopes = ["https://www.googleapis.com/auth/drive.readonly", "https://www.googleapis.com/auth/spreadsheets"]
    assert data(api.put(url, {"scopes": scopes}, format="json")) == {"scopes": scopes}
    assert data(api.get(url)) == {"scopes": scopes}


@pytest.mark.parametrize(
    "scope",
    [
        "https://evil.example.com/auth/drive",
        "http://www.googleapis.com/auth/drive",
        "https://www.googleapis.com/auth/",
        "https://www.googleapis.com/auth/drive?x=1",
        "https://www.googleapis.com/auth/../drive",
        "drive",
    ],
)
def test_scopes_must_be_google_oauth_scope_urls(api, scope):
    session_id = new_session(api)
    url = f"/api/v1/stage/sessions/{session_id}/google-scopes"
    api.put(url, {"scopes": ["https://www.googleapis.com/auth/drive"]}, format="json")
    err = error(
        api.put(url, {"scopes": ["https://www.googleapis.com/auth/spreadsheets", scope]}, format="json"),
        400,
        "VALIDATION_ERROR",
    )
    assert scope in err["message"]
    assert data(api.get(url)) == {"scopes": ["https://www.googleapis.com/auth/drive"]}, "nothing changed"


def test_scopes_payload_must_be_a_list(api):
    session_id = new_session(api)
    url = f"/api/v1/stage/sessions/{session_id}/google-scopes"
    error(api.put(url, {"scopes": "https://www.googleapis.com/auth/drive"}, format="json"), 400, "VALIDATION_ERROR")
    error(api.put(url, {}, format="json"), 400, "VALIDATION_ERROR")
