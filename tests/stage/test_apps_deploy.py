"""What a deploy finds in the session's files, what it refuses, and that versions never change afterwards."""

import pytest

from core.errors import NotFound
from stage.models import AppVersion, ChannelMove, FileVersion
from stage.selectors import app_get_public, channel_version, version_files
from tests.support.rest import api_deploy, api_publish, push, session_of

pytestmark = pytest.mark.django_db

APPS = "/api/v1/stage/apps"


@pytest.mark.parametrize(
    ("paths", "entrypoint"),
    [
        (["/app/index.ts", "/app/src/index.ts", "/app/app.tsx", "/app/src/app.ts"], "/app/src/app.ts"),
        (["/app/index.ts", "/app/src/index.ts", "/app/app.tsx"], "/app/app.tsx"),
        (["/app/index.ts", "/app/src/index.ts"], "/app/src/index.ts"),
        (["/app/index.ts"], "/app/index.ts"),
        (["/app/App.tsx", "/app/src/app.tsx", "/index.ts"], None),
    ],
    ids=["src-app-ts-first", "app-tsx-second", "src-index-third", "index-last", "none"],
)
def test_backend_entrypoint_follows_the_spec_order(api, paths, entrypoint):
    app = api_publish(api, files={path: "export default {};" for path in paths})
    version = api.get(f"{APPS}/{app['sid']}/versions").json()["data"][0]
    assert version["backendEntrypoint"] == entrypoint
    assert AppVersion.objects.get(sid=version["sid"]).backend_entrypoint == (entrypoint or "")


def test_compute_modules_are_the_ts_files_directly_under_app_compute(api):
    files = {
        "/app/compute/tasks.ts": "",
        "/app/compute/notes_v2.ts": "",
        "/app/compute/lib/helpers.ts": "",
        "/app/compute/README.md": "",
        "/app/other/compute/x.ts": "",
    }
    version = api_publish(api, files=files)
    found = api.get(f"{APPS}/{version['sid']}/versions").json()["data"][0]
    assert found["computeModules"] == ["notes_v2", "tasks"]


def test_bad_compute_module_names_fail_the_deploy_listing_every_offender_and_create_nothing(api):
    app = api_publish(api)
    push(
        api,
        app["sessionId"],
        {
            "/app/compute/Tasks.ts": "",
            "/app/compute/2fa.ts": "",
            "/app/compute/my-notes.ts": "",
            "/app/compute/ok.ts": "",
        },
    )
    response = api.post(f"{APPS}/{app['sid']}/deploy", {"promote": True}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "VALIDATION_ERROR"
    for name in ("Tasks", "2fa", "my-notes"):
        assert name in body["message"]
        assert f"/app/compute/{name}.ts" in body["details"]["computeModules"]
    assert "/app/compute/ok.ts" not in body["details"]["computeModules"]
    assert AppVersion.objects.count() == 1 and ChannelMove.objects.count() == 2
    assert api.get(f"{APPS}/{app['sid']}").json()["data"] == app


def test_bad_compute_module_names_fail_the_publish_too(api):
    session_id = api.post("/api/v1/stage/sessions", {}, format="json").json()["data"]["id"]
    push(api, session_id, {"/app/compute/Bad.ts": ""})
    response = api.post(APPS, {"sessionId": session_id, "name": "x"}, format="json")
    assert response.status_code == 400 and "Bad" in response.json()["error"]["message"]
    assert api.get(APPS).json()["data"] == []


def test_workflows_file_is_parsed_into_the_version(api):
    workflows = '{"version": 1, "workflows": {"hello": {"steps": [{"response": {"body": "hi"}}]}}}'
    app = api_publish(api, files={"/app/shift.workflows.json": workflows})
    version = api.get(f"{APPS}/{app['sid']}/versions").json()["data"][0]
    assert version["workflows"] == {"version": 1, "workflows": {"hello": {"steps": [{"response": {"body": "hi"}}]}}}
    without = api_publish(api, files={"/app/App.tsx": "x"})
    assert api.get(f"{APPS}/{without['sid']}/versions").json()["data"][0]["workflows"] is None


@pytest.mark.parametrize(
    "content", ['{"version": 1,', "[1, 2]", "", "NaN-ish {"], ids=["truncated", "array", "empty", "junk"]
)
def test_invalid_workflows_json_fails_the_deploy_naming_the_file(api, content):
    app = api_publish(api)
    push(api, app["sessionId"], {"/app/shift.workflows.json": content})
    response = api.post(f"{APPS}/{app['sid']}/deploy", {}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and "/app/shift.workflows.json" in error["message"]
    assert AppVersion.objects.count() == 1


def test_versions_stay_byte_identical_after_the_session_files_change(api):
    # given an app whose version 1 holds three files
    app = api_publish(api)
    app_row = app_get_public(sid=app["sid"])
    v1 = channel_version(app=app_row)
    before = version_files(version=v1)
    assert before["/app/App.tsx"] == "export default function App() { return <h1>Hello</h1>; }"
    # when the session's files change and a new version is deployed
    push(api, app["sessionId"], {"/app/App.tsx": "changed ✓ 🚀", "/app/new.ts": "new"})
    v2 = AppVersion.objects.get(sid=api_deploy(api, app["sid"])["version"]["sid"])
    # then version 1 still holds exactly its bytes, by reference to the same file versions
    assert version_files(version=v1) == before
    assert version_files(version=v2)["/app/App.tsx"].encode() == "changed ✓ 🚀".encode()
    assert "/app/new.ts" not in version_files(version=v1)
    assert FileVersion.objects.filter(session=session_of(app)).count() == 5  # no content copies


def test_version_files_is_one_query(api, django_assert_num_queries):
    app = api_publish(api)
    version = channel_version(app=app_get_public(sid=app["sid"]), channel="preview")
    with django_assert_num_queries(1):
        files = version_files(version=version)
    assert sorted(files) == ["/app/App.tsx", "/app/compute/tasks.ts", "/app/src/app.ts"]


def test_public_selector_needs_no_owner_and_says_app_not_found(api):
    app = api_publish(api)
    assert app_get_public(sid=app["sid"]).name == app["name"]
    with pytest.raises(NotFound, match="App not found"):
        app_get_public(sid="app_missing")


def test_a_deploy_of_an_empty_session_makes_an_empty_version(api):
    app = api_publish(api, files={})
    version = api.get(f"{APPS}/{app['sid']}/versions").json()["data"][0]
    assert version["files"] == [] and version["backendEntrypoint"] is None and version["computeModules"] == []
