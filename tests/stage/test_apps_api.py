"""The REST endpoints of published apps: happy paths, each error code, other owners and anonymous callers."""

import pytest

from stage.models import App, AppVersion, ChannelMove
from tests.support.rest import APP_FILES, REPOSITORY, api_deploy, api_publish, new_session, push

pytestmark = pytest.mark.django_db

APPS = "/api/v1/stage/apps"


def error(response) -> tuple[int, str]:
    body = response.json()
    assert body["success"] is False
    return response.status_code, body["error"]["code"]


def test_publish_creates_version_one_with_both_channels_pointing_at_it(api, user):
    # given
    session_id = new_session(api, APP_FILES)
    # when
    response = api.post(APPS, {"sessionId": session_id, "name": "shiftcal", "description": "Cal"}, format="json")
    # then
    assert response.status_code == 201
    app = response.json()["data"]
    assert app["sid"].startswith("app_")
    assert app["name"] == "shiftcal" and app["description"] == "Cal" and app["sessionId"] == session_id
    assert app["author"] == {"email": user.email, "username": user.username}
    assert app["status"] == "active" and app["repository"] is None and app["config"] == {}
    assert app["lastDeployedAt"] >= app["createdAt"]
    preview, production = app["channels"]["preview"], app["channels"]["production"]
    assert preview["version"] == production["version"] == 1
    assert preview["appVersionSid"] == production["appVersionSid"]
    assert preview["appVersionSid"].startswith("ver_")


def test_publish_refuses_missing_name_unknown_keys_and_a_second_publish_of_the_same_session(api):
    session_id = new_session(api, APP_FILES)
    assert error(api.post(APPS, {"sessionId": session_id}, format="json")) == (400, "VALIDATION_ERROR")
    assert error(api.post(APPS, {"sessionId": session_id, "name": "  "}, format="json")) == (400, "VALIDATION_ERROR")
    refused = api.post(APPS, {"sessionId": session_id, "name": "x", "sid": "app_mine"}, format="json")
    assert error(refused) == (400, "VALIDATION_ERROR")
    assert App.objects.count() == 0
    assert api.post(APPS, {"sessionId": session_id, "name": "x"}, format="json").status_code == 201
    again = api.post(APPS, {"sessionId": session_id, "name": "y"}, format="json")
    assert error(again) == (409, "CONFLICT")
    assert App.objects.count() == 1


def test_publish_of_another_owners_session_is_not_found(api, other_api):
    session_id = new_session(other_api, APP_FILES)
    response = api.post(APPS, {"sessionId": session_id, "name": "stolen"}, format="json")
    assert error(response) == (404, "NOT_FOUND")
    assert response.json()["error"]["message"] == "Session not found"
    assert App.objects.count() == 0


def test_list_filters_by_author_session_and_status(api, other_api, user):
    first, second = api_publish(api), api_publish(api)
    api_publish(other_api)
    api.patch(f"{APPS}/{second['sid']}", {"status": "archived"}, format="json")

    def sids(query=""):
        response = api.get(APPS + query)
        assert response.status_code == 200
        return [app["sid"] for app in response.json()["data"]]

    assert sids() == [second["sid"], first["sid"]]
    assert sids(f"?author={user.email}") == [second["sid"], first["sid"]]
    assert sids(f"?author={user.username}") == [second["sid"], first["sid"]]  # found by name too
    assert sids("?author=nobody@example.com") == []
    assert sids(f"?sessionId={first['sessionId']}") == [first["sid"]]
    assert sids("?status=archived") == [second["sid"]]
    assert sids("?status=active") == [first["sid"]]
    assert error(api.get(APPS + "?status=deleted")) == (400, "VALIDATION_ERROR")


def test_get_returns_the_app_with_its_channels(api):
    app = api_publish(api)
    response = api.get(f"{APPS}/{app['sid']}")
    assert response.status_code == 200
    assert response.json()["data"] == app
    assert error(api.get(f"{APPS}/app_doesnotexist")) == (404, "NOT_FOUND")


@pytest.mark.parametrize("sid", ["app_%00", "%00", "x" * 5000, "app_' OR 1=1 --", "..%2F..%2Fetc"])
def test_hostile_sids_are_plain_404s(api, sid):
    api_publish(api)
    assert error(api.get(f"{APPS}/{sid}")) == (404, "NOT_FOUND")
    assert error(api.post(f"{APPS}/{sid}/deploy", {}, format="json")) == (404, "NOT_FOUND")


def test_hostile_list_filters_are_refused_or_match_nothing(api):
    api_publish(api)
    assert error(api.get(APPS + "?sessionId=%00")) == (400, "VALIDATION_ERROR")
    assert api.get(APPS + "?author=%25").json()["data"] == []
    assert error(api.get(APPS + "?limit=5")) == (400, "VALIDATION_ERROR")


NESTED: list = ["too deep"]
for _ in range(40):
    NESTED = [NESTED]


def test_patch_updates_metadata_config_and_repository(api):
    app = api_publish(api)
    body = {"name": "renamed", "description": "", "config": {"slackChannelId": "C1"}, "repository": REPOSITORY}
    response = api.patch(f"{APPS}/{app['sid']}", body, format="json")
    assert response.status_code == 200
    updated = response.json()["data"]
    assert updated["name"] == "renamed" and updated["description"] == ""
    assert updated["config"] == {"slackChannelId": "C1"}
    assert updated["repository"] == REPOSITORY
    assert updated["updatedAt"] >= app["updatedAt"]
    assert api.get(f"{APPS}/{app['sid']}").json()["data"] == updated
    unlinked = api.patch(f"{APPS}/{app['sid']}", {"repository": None}, format="json").json()["data"]
    assert unlinked["repository"] is None


def test_patch_repository_defaults_optional_fields_and_stamps_linked_at(api):
    app = api_publish(api)
    required = {key: REPOSITORY[key] for key in ("provider", "owner", "name", "fullName", "url")}
    repository = api.patch(f"{APPS}/{app['sid']}", {"repository": required}, format="json").json()["data"]["repository"]
    assert repository["visibility"] is None and repository["defaultBranch"] is None
    assert repository["linkedAt"] > 1_700_000_000_000


@pytest.mark.parametrize(
    "body",
    [
        {"sid": "app_other"},
        {"sessionId": "k123"},
        {"author": {"email": "x@example.com"}},
        {"createdAt": 1},
        {"lastDeployedAt": 1},
        {"channels": {}},
        {"unknown": 1},
        {"name": ""},
        {"name": "x" * 201},
        {"name": "a\x00b"},
        {"status": "deleted"},
        {"config": []},
        {"config": {"k": "\x00"}},
        {"config": {"big": "x" * 70_000}},
        {"config": {"deep": NESTED}},
        {"config": {"\x00key": 1}},
        {"repository": "tom/drive-hasher"},
        {"repository": REPOSITORY | {"provider": "svn"}},
        {"repository": REPOSITORY | {"owner": "../etc"}},
        {"repository": REPOSITORY | {"fullName": "eve/drive-hasher"}},
        {"repository": REPOSITORY | {"url": "javascript:alert(1)"}},
        {"repository": REPOSITORY | {"url": "https://user:token@github.com/tom/drive-hasher"}},
        {"repository": REPOSITORY | {"visibility": "secret"}},
        {"repository": REPOSITORY | {"defaultBranch": "main..evil"}},
        {"repository": REPOSITORY | {"defaultBranch": "has space"}},
        {"repository": REPOSITORY | {"remoteName": "origin; rm -rf /"}},
        {"repository": REPOSITORY | {"linkedAt": -1}},
        {"repository": REPOSITORY | {"linkedAt": "yesterday"}},
        {"repository": REPOSITORY | {"linkedAt": "1709640060000"}},
        {"repository": REPOSITORY | {"linkedAt": 1709640060000.5}},
        {"repository": REPOSITORY | {"linkedAt": True}},
        {"repository": REPOSITORY | {"extra": True}},
        {"repository": {"provider": "github"}},
    ],
    ids=lambda body: "-".join(f"{k}={str(v)[:24]}" for k, v in body.items()),
)
def test_patch_refuses_server_owned_unknown_and_invalid_fields_and_changes_nothing(api, body):
    app = api_publish(api)
    response = api.patch(f"{APPS}/{app['sid']}", body, format="json")
    assert error(response) == (400, "VALIDATION_ERROR")
    assert api.get(f"{APPS}/{app['sid']}").json()["data"] == app


@pytest.mark.parametrize(
    "raw",
    ['{"config": {"lone": "\\ud800"}}', '{"name": "\\udfff"}', '{"repository": {"owner": "\\u0000"}}'],
    ids=["config-surrogate", "name-surrogate", "repository-nul"],
)
def test_patch_refuses_text_postgresql_cannot_store(api, raw):
    app = api_publish(api)
    response = api.generic("PATCH", f"{APPS}/{app['sid']}", raw, content_type="application/json")
    assert error(response) == (400, "VALIDATION_ERROR")
    assert api.get(f"{APPS}/{app['sid']}").json()["data"] == app


def test_patch_says_which_fields_are_server_owned(api):
    app = api_publish(api)
    response = api.patch(f"{APPS}/{app['sid']}", {"sid": "app_x", "name": "ok"}, format="json")
    assert response.json()["error"]["details"] == {"sid": ["Read-only: set by the server."]}
    assert api.get(f"{APPS}/{app['sid']}").json()["data"]["name"] == app["name"]


def test_deploy_snapshots_current_files_and_moves_preview_only(api):
    app = api_publish(api)
    push(api, app["sessionId"], {"/app/App.tsx": "export default () => <p>v2</p>;"})
    # when
    result = api_deploy(api, app["sid"])
    # then
    version, moved = result["version"], result["app"]
    assert version["version"] == 2 and version["sid"].startswith("ver_")
    label = app["sid"].replace("_", "-")
    assert moved["channels"]["preview"] == {
        "appVersionSid": version["sid"],
        "version": 2,
        "updatedAt": moved["channels"]["preview"]["updatedAt"],
        "url": f"http://{label}--preview.localhost",
        "versionUrl": f"http://{label}--v2.localhost",
    }
    assert version["url"] == f"http://{label}--v2.localhost"
    assert moved["channels"]["production"]["version"] == 1
    assert moved["lastDeployedAt"] >= app["lastDeployedAt"]
    assert {f["path"]: f["version"] for f in version["files"]}["/app/App.tsx"] == 2
    assert version["backendEntrypoint"] == "/app/src/app.ts"
    assert version["computeModules"] == ["tasks"]


def test_deploy_with_promote_moves_production_too(api):
    app = api_publish(api)
    result = api_deploy(api, app["sid"], promote=True)
    channels = result["app"]["channels"]
    assert channels["preview"]["version"] == channels["production"]["version"] == 2


def test_deploy_refuses_unknown_keys_and_non_boolean_promote(api):
    app = api_publish(api)
    url = f"{APPS}/{app['sid']}/deploy"
    assert error(api.post(url, {"promote": "soon"}, format="json")) == (400, "VALIDATION_ERROR")
    assert error(api.post(url, {"force": True}, format="json")) == (400, "VALIDATION_ERROR")
    assert AppVersion.objects.count() == 1


def test_archived_app_cannot_deploy_promote_or_roll_back_until_unarchived(api):
    app = api_publish(api)
    api_deploy(api, app["sid"], promote=True)
    api.patch(f"{APPS}/{app['sid']}", {"status": "archived"}, format="json")
    for action in ("deploy", "channels/production/promote", "channels/production/rollback"):
        response = api.post(f"{APPS}/{app['sid']}/{action}", {}, format="json")
        assert error(response) == (409, "CONFLICT"), action
        assert "archived" in response.json()["error"]["message"]
    assert AppVersion.objects.count() == 2 and ChannelMove.objects.count() == 4
    # unarchiving restores it
    api.patch(f"{APPS}/{app['sid']}", {"status": "active"}, format="json")
    assert api_deploy(api, app["sid"])["version"]["version"] == 3


def test_versions_newest_first_with_manifests(api):
    app = api_publish(api)
    push(api, app["sessionId"], {"/app/extra.ts": "export const x = 1;"})
    api_deploy(api, app["sid"])
    response = api.get(f"{APPS}/{app['sid']}/versions")
    assert response.status_code == 200
    versions = response.json()["data"]
    assert [v["version"] for v in versions] == [2, 1]
    assert [f["path"] for f in versions[0]["files"]] == [
        "/app/App.tsx",
        "/app/compute/tasks.ts",
        "/app/extra.ts",
        "/app/src/app.ts",
    ]
    assert "/app/extra.ts" not in [f["path"] for f in versions[1]["files"]]
    assert versions[0]["createdBy"]["username"] == "alice"
    assert all("content" not in f for v in versions for f in v["files"])


def test_channels_summary_matches_the_sdk_shape(api):
    app = api_publish(api)
    response = api.get(f"{APPS}/{app['sid']}/channels")
    assert response.status_code == 200
    channels = response.json()["data"]
    assert set(channels) == {"preview", "production"}
    assert set(channels["preview"]) == {"appVersionSid", "version", "updatedAt", "url", "versionUrl"}
    assert channels == app["channels"] | {
        name: channels[name] | {"updatedAt": channels[name]["updatedAt"]} for name in channels
    }


def test_promote_defaults_to_preview_and_accepts_an_explicit_version(api):
    app = api_publish(api)
    v1 = app["channels"]["production"]["appVersionSid"]
    v2 = api_deploy(api, app["sid"])["version"]["sid"]
    url = f"{APPS}/{app['sid']}/channels/production/promote"
    # default: preview's version
    promoted = api.post(url, {}, format="json")
    assert promoted.status_code == 200
    assert promoted.json()["data"]["production"]["appVersionSid"] == v2
    # an explicit older version
    explicit = api.post(url, {"appVersionSid": v1}, format="json").json()["data"]
    assert explicit["production"]["appVersionSid"] == v1 and explicit["preview"]["appVersionSid"] == v2


def test_promote_refuses_unknown_versions_including_another_apps(api):
    app, other = api_publish(api), api_publish(api)
    url = f"{APPS}/{app['sid']}/channels/production/promote"
    foreign = other["channels"]["preview"]["appVersionSid"]
    assert error(api.post(url, {"appVersionSid": foreign}, format="json")) == (404, "NOT_FOUND")
    assert error(api.post(url, {"appVersionSid": "ver_nope"}, format="json")) == (404, "NOT_FOUND")
    assert error(api.post(url, {"appVersionSid": 7, "x": 1}, format="json")) == (400, "VALIDATION_ERROR")
    assert api.get(f"{APPS}/{app['sid']}/channels").json()["data"] == app["channels"]


def test_rollback_steps_production_back_through_the_versions_it_served(api):
    app = api_publish(api)
    sid = app["sid"]
    api_deploy(api, sid, promote=True)
    api_deploy(api, sid, promote=True)
    url = f"{APPS}/{sid}/channels/production/rollback"

    def production_after_rollback():
        response = api.post(url, format="json")
        assert response.status_code == 200, response.json()
        return response.json()["data"]["production"]["version"]

    assert production_after_rollback() == 2
    assert production_after_rollback() == 1
    response = api.post(url, format="json")
    assert error(response) == (409, "CONFLICT")
    assert "no earlier version" in response.json()["error"]["message"]
    assert error(api.post(url, {"to": 1}, format="json")) == (400, "VALIDATION_ERROR")


def test_rollback_undoes_an_explicit_downgrade(api):
    # given production promoted to v3, then explicitly back to v1
    app = api_publish(api)
    v1 = app["channels"]["production"]["appVersionSid"]
    api_deploy(api, app["sid"])
    api_deploy(api, app["sid"], promote=True)
    url = f"{APPS}/{app['sid']}/channels/production"
    api.post(f"{url}/promote", {"appVersionSid": v1}, format="json")
    # when rolled back, production returns to what it served before the downgrade, then further back
    assert api.post(f"{url}/rollback").json()["data"]["production"]["version"] == 3
    assert api.post(f"{url}/rollback").json()["data"]["production"]["version"] == 1
    assert error(api.post(f"{url}/rollback")) == (409, "CONFLICT")


def test_rollback_after_a_repeated_promote_of_the_same_version_goes_to_the_one_before(api):
    app = api_publish(api)
    api_deploy(api, app["sid"])
    url = f"{APPS}/{app['sid']}/channels/production"
    api.post(f"{url}/promote", {}, format="json")
    api.post(f"{url}/promote", {}, format="json")
    assert api.post(f"{url}/rollback").json()["data"]["production"]["version"] == 1


def test_rollback_skips_versions_production_never_served(api):
    app = api_publish(api)
    api_deploy(api, app["sid"])  # v2: preview only
    api_deploy(api, app["sid"], promote=True)  # v3
    response = api.post(f"{APPS}/{app['sid']}/channels/production/rollback", format="json")
    assert response.json()["data"]["production"]["version"] == 1


def test_history_records_every_move_with_who_when_from_to_and_why(api, user):
    app = api_publish(api)
    api_deploy(api, app["sid"])
    api.post(f"{APPS}/{app['sid']}/channels/production/promote", {}, format="json")
    api.post(f"{APPS}/{app['sid']}/channels/production/rollback", format="json")
    response = api.get(f"{APPS}/{app['sid']}/channels/history")
    assert response.status_code == 200
    moves = [(m["channel"], m["fromVersion"], m["toVersion"], m["reason"]) for m in response.json()["data"]]
    assert moves == [
        ("production", 2, 1, "rollback"),
        ("production", 1, 2, "promote"),
        ("preview", 1, 2, "deploy"),
        ("production", None, 1, "publish"),
        ("preview", None, 1, "publish"),
    ]
    newest = response.json()["data"][0]
    assert newest["movedBy"] == {"email": user.email, "username": user.username}
    assert newest["createdAt"] > 0 and newest["toAppVersionSid"].startswith("ver_")


ENDPOINTS = [
    ("get", ""),
    ("patch", ""),
    ("post", "/deploy"),
    ("get", "/versions"),
    ("get", "/channels"),
    ("post", "/channels/production/promote"),
    ("post", "/channels/production/rollback"),
    ("get", "/channels/history"),
]


@pytest.mark.parametrize(("method", "suffix"), ENDPOINTS, ids=[f"{m} {s or '/'}" for m, s in ENDPOINTS])
def test_another_owners_key_gets_404_and_changes_nothing(api, other_api, method, suffix):
    app = api_publish(api)
    response = getattr(other_api, method)(f"{APPS}/{app['sid']}{suffix}", {"name": "pwned"}, format="json")
    assert error(response) == (404, "NOT_FOUND")
    assert response.json()["error"]["message"] == "App not found"
    assert api.get(f"{APPS}/{app['sid']}").json()["data"] == app
    assert ChannelMove.objects.count() == 2


@pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("post", "")] + [(m, "/app_x" + s) for m, s in ENDPOINTS])
def test_no_key_gets_401(anon_api, method, suffix):
    response = getattr(anon_api, method)(f"{APPS}{suffix}", {}, format="json")
    assert error(response) == (401, "UNAUTHORIZED")


def test_another_owners_apps_are_not_listed(api, other_api):
    api_publish(other_api)
    mine = api_publish(api)
    assert [app["sid"] for app in api.get(APPS).json()["data"]] == [mine["sid"]]
    other_session = App.objects.exclude(sid=mine["sid"]).get().session.public_id
    assert api.get(f"{APPS}?sessionId={other_session}").json()["data"] == []


def test_an_author_created_without_an_email_is_found_by_name(db):
    from tests.conftest import client_for
    from tests.support.factories import UserFactory

    nameless = UserFactory(username="no-mail", email="")
    api = client_for(nameless)
    app = api_publish(api)

    assert [a["sid"] for a in api.get(f"{APPS}?author=no-mail").json()["data"]] == [app["sid"]]
    assert api.get(f"{APPS}?author=").status_code == 400  # an empty author names nobody
