"""stage:listApps, stage:getApp, stage:getAppBySession and stage:updateApp, called the way stage-cli calls them."""

import pytest

from tests.support.rest import api_publish

pytestmark = pytest.mark.django_db


def call(client, kind: str, fn: str, args: dict) -> dict:
    response = client.post(f"/api/{kind}", {"path": f"stage:{fn}", "args": args}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def value(client, kind: str, fn: str, args: dict):
    body = call(client, kind, fn, args)
    assert body["status"] == "success", body
    return body["value"]


def failure(client, kind: str, fn: str, args: dict) -> str:
    body = call(client, kind, fn, args)
    assert body["status"] == "error", body
    return body["errorMessage"]


def convex(client):
    """The same key, sent as stage-cli sends it."""
    client.credentials(HTTP_AUTHORIZATION=f"Convex {client.raw_key}")
    return client


def test_list_and_get_match_the_rest_shapes(api, user):
    app = api_publish(api)
    cli = convex(api)
    assert value(cli, "query", "listApps", {}) == [app]
    assert value(cli, "query", "listApps", {"author": user.email, "status": "active"}) == [app]
    assert value(cli, "query", "listApps", {"status": "archived"}) == []
    assert value(cli, "query", "getApp", {"sid": app["sid"]}) == app


def test_get_app_by_session_resolves_the_attached_app_or_null(api):
    app = api_publish(api)
    cli = convex(api)
    assert value(cli, "query", "getAppBySession", {"sessionId": app["sessionId"]}) == app
    assert value(cli, "query", "getAppBySession", {"sessionId": "knosuchsession"}) is None


def test_update_app_changes_metadata_and_refuses_server_owned_fields(api):
    app = api_publish(api)
    cli = convex(api)
    updated = value(cli, "mutation", "updateApp", {"sid": app["sid"], "name": "renamed", "config": {"x": 1}})
    assert updated["name"] == "renamed" and updated["config"] == {"x": 1}
    assert "Read-only" in failure(cli, "mutation", "updateApp", {"sid": app["sid"], "lastDeployedAt": 1})
    assert "status" in failure(cli, "mutation", "updateApp", {"sid": app["sid"], "status": "gone"})
    archived = value(cli, "mutation", "updateApp", {"sid": app["sid"], "status": "archived"})
    assert archived["status"] == "archived"


def test_update_app_is_a_mutation_not_a_query(api):
    app = api_publish(api)
    message = failure(convex(api), "query", "updateApp", {"sid": app["sid"], "name": "x"})
    assert "mutation" in message


def test_another_owner_sees_no_app(api, other_api):
    app = api_publish(api)
    thief = convex(other_api)
    assert failure(thief, "query", "getApp", {"sid": app["sid"]}) == "App not found"
    assert failure(thief, "mutation", "updateApp", {"sid": app["sid"], "name": "pwned"}) == "App not found"
    assert value(thief, "query", "getAppBySession", {"sessionId": app["sessionId"]}) is None
    assert value(thief, "query", "listApps", {}) == []
    assert value(convex(api), "query", "getApp", {"sid": app["sid"]})["name"] == app["name"]


@pytest.mark.parametrize(
    ("kind", "fn"),
    [("query", "listApps"), ("query", "getApp"), ("query", "getAppBySession"), ("mutation", "updateApp")],
)
def test_no_key_is_401(anon_api, kind, fn):
    response = anon_api.post(f"/api/{kind}", {"path": f"stage:{fn}", "args": {"sid": "app_x"}}, format="json")
    assert response.status_code == 401
