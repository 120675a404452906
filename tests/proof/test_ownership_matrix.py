"""Ownership matrix: every endpoint naming a session, app, version, snapshot, run or channel answers another
owner exactly as it answers for an id that does not exist (404, same body), through REST, Convex and the SDK.

The REST rows come from the OpenAPI schema, so a new endpoint with an id in its path joins the matrix; ids
carried in bodies, query strings and headers have their own rows.
"""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from stage_sdk import create_client
from stage_sdk.errors import StageError as SdkError

from core.ids import new_prefixed_id, new_session_id
from stage.convex.registry import FUNCTIONS
from tests.support.rest import APP_FILES, api_publish

ID_PARAMS = {"session_id", "sid", "app_sid", "snapshot_id", "run_id"}
OTHER_PARAMS = {"path": "app/App.tsx", "workflow": "main", "op": "query"}
WORKFLOWS = {"version": 1, "workflows": {"main": {"steps": [{"response": {"status": 200, "body": {"ok": True}}}]}}}


def _rest_rows():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in sorted(schema["paths"].items()):
        params = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        if not params & ID_PARAMS:
            continue
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield pytest.param(method, path, params, id=f"{method.upper()} {path}")


@pytest.fixture
def alices(api):
    """Alice's session, snapshot, app with a version and a workflow run, and a channel: all real."""
    app = api_publish(api, {**APP_FILES, "/app/shift.workflows.json": json.dumps(WORKFLOWS)})
    session_id = app["sessionId"]
    snapshot = api.post(f"/api/v1/stage/sessions/{session_id}/snapshots", {}, format="json").json()["data"]["id"]
    version = api.get(f"/api/v1/stage/apps/{app['sid']}/versions").json()["data"][0]["sid"]
    ran = api.post(f"/api/v1/run/{app['sid']}/main", {}, format="json")
    return {
        "session_id": session_id,
        "sid": app["sid"],
        "app_sid": app["sid"],
        "snapshot_id": snapshot,
        "run_id": ran["X-Stage-Run-Id"],
        "version": version,
        "channel": _channel(api),
    }


def _ghosts(ids: dict) -> dict:
    """Ids of the same shapes that name nothing."""
    ghost_app = new_prefixed_id("app")
    return {
        "session_id": new_session_id(),
        "sid": ghost_app,
        "app_sid": ghost_app,
        "snapshot_id": new_prefixed_id("snap"),
        "run_id": new_prefixed_id("run"),
        "version": new_prefixed_id("ver"),
        "channel": new_prefixed_id("chn"),
    }


def _url(path: str, values: dict) -> str:
    for name, value in {**OTHER_PARAMS, **values}.items():
        path = path.replace("{" + name + "}", value)
    return path + ("?path=/app/App.tsx" if path.endswith("/history") else "")


def _scrub(text: str, ids: dict) -> str:
    for name, value in ids.items():
        text = text.replace(value, f"<{name}>")
    return text


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "params"), list(_rest_rows()))
def test_rest_another_owner_is_answered_as_for_a_missing_id(api, other_api, alices, method, path, params):
    ghosts = _ghosts(alices)
    body = {"appVersionSid": alices["version"]} if path.endswith("/promote") else {}

    def ask(values):
        client_call = getattr(other_api, method)
        response = (
            client_call(_url(path, values), body, format="json") if method != "get" else client_call(_url(path, values))
        )
        return response.status_code, _scrub(response.content.decode(), values)

    on_alices, on_ghosts = ask(alices), ask(ghosts)
    assert on_alices[0] == 404, on_alices
    assert on_alices == on_ghosts
    # and alice's resources are still hers, untouched
    assert api.get(f"/api/v1/stage/apps/{alices['sid']}").json()["data"]["name"] == "shiftcal-preview"


# Ids that travel outside the path: in a body, a query string or a header. Each asks as mallory, who owns an app
# and a channel of her own, so only alice's id can be what is refused.
ELSEWHERE = {
    "register alice's channel on mallory's app": lambda c, ids, own: c.post(
        "/api/v1/communication/registrations", {"appSid": own["sid"], "channelId": ids["channel"]}, format="json"
    ),
    "register mallory's channel on alice's app": lambda c, ids, own: c.post(
        "/api/v1/communication/registrations", {"appSid": ids["sid"], "channelId": own["channel"]}, format="json"
    ),
    "messages of alice's app": lambda c, ids, own: c.get("/api/v1/communication/messages", {"appSid": ids["sid"]}),
    "promote alice's version on mallory's app": lambda c, ids, own: c.post(
        f"/api/v1/stage/apps/{own['sid']}/channels/production/promote", {"appVersionSid": ids["version"]}, format="json"
    ),
    "publish alice's session": lambda c, ids, own: c.post(
        "/api/v1/stage/apps", {"sessionId": ids["session_id"], "name": "stolen"}, format="json"
    ),
    "inference chat on alice's session": lambda c, ids, own: c.post(
        "/api/v1/inference/chat",
        {"messages": [{"role": "user", "content": "hi"}]},
        format="json",
        HTTP_X_STAGE_SESSION=ids["session_id"],
    ),
    "inference usage of alice's session": lambda c, ids, own: c.get(
        "/api/v1/inference/usage", HTTP_X_STAGE_SESSION=ids["session_id"]
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(ELSEWHERE))
def test_ids_outside_the_path_another_owner_is_answered_as_for_a_missing_id(api, other_api, alices, label):
    app = api_publish(other_api)
    own = {"sid": app["sid"], "channel": _channel(other_api)}

    def ask(values):
        response = ELSEWHERE[label](other_api, values, own)
        return response.status_code, _scrub(response.content.decode(), values)

    on_alices, on_ghosts = ask(alices), ask(_ghosts(alices))
    assert on_alices[0] == 404, on_alices
    assert on_alices == on_ghosts
    assert api.get(f"/api/v1/stage/runs/{alices['run_id']}").json()["data"]["status"] == "succeeded"


def _channel(client) -> str:
    body = {"name": "mail", "kind": "email", "config": {"from": "someone@example.com"}}
    return client.post("/api/v1/communication/channels", body, format="json").json()["data"]["id"]


def _convex_rows():
    for name, function in sorted(FUNCTIONS.items()):
        fields = set(function.args().fields)
        if fields & {"sessionId", "sid"}:
            yield pytest.param(name, function.kind, fields, id=name)


CONVEX_ARGS = {"path": "/app/App.tsx", "content": "hijack", "error": "x", "scopes": [], "name": "x"}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind", "fields"), list(_convex_rows()))
def test_convex_another_owner_is_answered_as_for_a_missing_id(api, other_api, alices, name, kind, fields):
    ghosts = _ghosts(alices)

    def ask(values):
        ids = {"sessionId": values["session_id"], "sid": values["sid"], "snapshotId": values["snapshot_id"]}
        args = {key: value for key, value in {**CONVEX_ARGS, **ids}.items() if key in fields}
        if "version" in fields:
            args["version"] = 1
        response = other_api.post(f"/api/{kind}", {"path": name, "args": args}, format="json")
        return response.status_code, _scrub(response.content.decode(), values)

    on_alices, on_ghosts = ask(alices), ask(ghosts)
    # an error, or an empty answer (a lookup "by session" finds nothing): never alice's data
    compact = on_alices[1].replace(" ", "")
    assert on_alices[0] == 200, on_alices
    assert '"status":"error"' in compact or '"value":null' in compact or '"value":[]' in compact, on_alices
    assert on_alices == on_ghosts


SDK_CALLS = {
    "sessions.status": lambda c, ids: c.stage.sessions.status(ids["session_id"]),
    "sessions.read_file": lambda c, ids: c.stage.sessions.read_file(ids["session_id"], "/app/App.tsx"),
    "sessions.push_files": lambda c, ids: c.stage.sessions.push_files(ids["session_id"], {"/x.ts": "x"}),
    "sessions.render": lambda c, ids: c.stage.sessions.render(ids["session_id"]),
    "snapshots.restore": lambda c, ids: c.stage.sessions.snapshots.restore(ids["session_id"], ids["snapshot_id"]),
    "apps.get": lambda c, ids: c.stage.apps.get(ids["sid"]),
    "apps.update": lambda c, ids: c.stage.apps.update(ids["sid"], name="stolen"),
    "apps.deploy": lambda c, ids: c.stage.apps.deploy(ids["sid"], promote=True),
    "apps.rollback": lambda c, ids: c.stage.apps.rollback(ids["sid"]),
    "apps.history": lambda c, ids: c.stage.apps.history(ids["sid"]),
}


@pytest.mark.django_db(transaction=True)
def test_sdk_another_owner_gets_not_found_for_every_call(live_server, api, other_api, alices):
    ghosts = _ghosts(alices)
    for label, call in SDK_CALLS.items():
        with create_client(gateway_url=live_server.url, api_key=other_api.raw_key, max_retries=0) as mallory:
            with pytest.raises(SdkError) as on_alices:
                call(mallory, alices)
            with pytest.raises(SdkError) as on_ghosts:
                call(mallory, ghosts)
        assert (on_alices.value.code, on_alices.value.status) == ("NOT_FOUND", 404), label
        assert _scrub(on_alices.value.message, alices) == _scrub(on_ghosts.value.message, ghosts), label
