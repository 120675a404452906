"""Every session endpoint: another owner's key sees 404 and learns nothing; no key sees 401."""

import pytest

from stage.models import FileVersion, Render, Snapshot
from tests.support.rest import data, error, new_session, push

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("post", "/push", {"files": {"/x.ts": "x"}}),
    ("get", "/files", None),
    ("get", "/files/app/App.tsx", None),
    ("put", "/files/app/App.tsx", {"content": "hijack"}),
    ("get", "/history?path=/app/App.tsx", None),
    ("get", "/snapshots", None),
    ("post", "/snapshots", {"name": "x"}),
    ("post", "/snapshots/{snapshot}/restore", None),
    ("post", "/render", {}),
    ("get", "/status", None),
    ("get", "/google-scopes", None),
    ("put", "/google-scopes", {"scopes": []}),
]
IDS = [f"{method}{path.split('?')[0]}" for method, path, _ in ENDPOINTS]


@pytest.fixture
def owned(api):
    session_id = new_session(api)
    push(api, session_id, {"/app/App.tsx": "secret"})
    snapshot = data(api.post(f"/api/v1/stage/sessions/{session_id}/snapshots", {}, format="json"))["id"]
    return session_id, snapshot


def call(client, method, url, body):
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_another_owners_key_gets_404_and_changes_nothing(other_api, owned, method, path, body):
    session_id, snapshot = owned
    counts = (FileVersion.objects.count(), Snapshot.objects.count(), Render.objects.count())
    url = f"/api/v1/stage/sessions/{session_id}" + path.format(snapshot=snapshot)
    err = error(call(other_api, method, url, body), 404, "NOT_FOUND")
    assert err["message"] == "Session not found"
    assert "secret" not in str(err)
    assert (FileVersion.objects.count(), Snapshot.objects.count(), Render.objects.count()) == counts


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_an_unknown_session_looks_exactly_like_another_owners(other_api, owned, method, path, body):
    session_id, snapshot = owned
    theirs = call(other_api, method, f"/api/v1/stage/sessions/{session_id}" + path.format(snapshot=snapshot), body)
    missing = call(
        other_api, method, "/api/v1/stage/sessions/kdoesnotexist0000000000" + path.format(snapshot=snapshot), body
    )
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_no_key_gets_401(anon_api, owned, method, path, body):
    session_id, snapshot = owned
    url = f"/api/v1/stage/sessions/{session_id}" + path.format(snapshot=snapshot)
    error(call(anon_api, method, url, body), 401, "UNAUTHORIZED")


def test_session_lists_are_per_owner(api, other_api, owned):
    assert data(other_api.get("/api/v1/stage/sessions"))["results"] == []
    assert len(data(api.get("/api/v1/stage/sessions"))["results"]) == 1
