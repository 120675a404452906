"""The live state behind the browser @stage/* modules: the preview's endpoint (public by session id, scoped to
that session, capped and rate-limited) and the Convex functions an agent drives it with."""

import json

import pytest

from core.errors import NotFound
from stage.models import Render, SessionMessage, SessionValue
from tests.support.convex import convex_client_for, failure, value
from tests.support.rest import api_publish, new_session
from workflows.models import LedgerEvent, PulseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli(user):
    return convex_client_for(user)


def live(client, session_id: str, op: str | None = None, **params):
    """GET the live state, or POST one operation; the parsed answer and its status."""
    if op is None:
        response = client.get(f"/s/{session_id}/live")
    else:
        response = client.post(
            f"/s/{session_id}/live", json.dumps({"op": op, **params}), content_type="application/json"
        )
    return response.status_code, response.json()


def test_kv_writes_persist_for_the_session_and_read_back_with_the_revision(api, client):
    session_id = new_session(api)

    status, body = live(client, session_id, "kv.set", key="settings", value={"theme": "dark", "size": 14})
    assert status == 200 and body["data"]["live"]["kv"] == {"settings": {"theme": "dark", "size": 14}}
    live(client, session_id, "kv.set", key="count", value=3)
    live(client, session_id, "kv.delete", key="count")

    status, body = live(client, session_id)
    assert status == 200
    assert body["data"]["kv"] == {"settings": {"theme": "dark", "size": 14}}
    assert body["data"]["revision"] == 3
    assert client.get(f"/s/{session_id}/live?since=3").json()["data"] == {"revision": 3}  # what the page polls
    assert live(client, session_id, "kv.clear")[1]["data"]["live"]["kv"] == {}


def test_live_data_and_messages_written_in_the_preview_reach_the_agent_and_back(api, client, cli):
    session_id = new_session(api)

    live(client, session_id, "liveData.set", data={"count": 1})
    live(client, session_id, "messages.send", text="hello from the app", sender="user")
    assert value(cli, "query", "getLiveData", {"sessionId": session_id}) == {"count": 1}
    assert [m["text"] for m in value(cli, "query", "getMessages", {"sessionId": session_id})] == ["hello from the app"]

    value(cli, "mutation", "setLiveData", {"sessionId": session_id, "data": {"count": 2}})
    sent = value(cli, "mutation", "sendMessage", {"sessionId": session_id, "text": "hi, I am the agent"})
    assert sent["sender"] == "agent" and sent["text"] == "hi, I am the agent"
    value(cli, "mutation", "kvSet", {"sessionId": session_id, "key": "k", "value": [1, 2]})

    state = live(client, session_id)[1]["data"]
    assert state["liveData"] == {"count": 2}
    assert [(m["sender"], m["text"]) for m in state["messages"]] == [
        ("user", "hello from the app"),
        ("agent", sent["text"]),
    ]
    assert state["kv"] == {"k": [1, 2]}
    assert value(cli, "query", "kvGet", {"sessionId": session_id, "key": "k"}) == [1, 2]
    assert value(cli, "query", "kvGet", {"sessionId": session_id, "key": "none"}) is None
    assert value(cli, "mutation", "clearMessages", {"sessionId": session_id}) is None
    assert live(client, session_id)[1]["data"]["messages"] == []


def test_get_session_and_clear_error(api, cli, django_capture_on_commit_callbacks):
    from tests.support.renders import trigger

    session_id = new_session(api, {"/app/App.tsx": "export default () => <p>hi</p>;"})
    trigger(api, session_id, django_capture_on_commit_callbacks)
    Render.objects.filter(session__public_id=session_id).update(error="Runtime error: boom")
    value(cli, "mutation", "kvSet", {"sessionId": session_id, "key": "a", "value": 1})

    detail = value(cli, "query", "getSession", {"sessionId": session_id})
    assert detail["id"] == session_id and detail["render"]["error"] == "Runtime error: boom"
    assert detail["counts"] == {"files": 1, "snapshots": 0, "renders": 1, "messages": 0, "kvKeys": 1}
    assert detail["liveRevision"] == 1

    cleared = value(cli, "mutation", "clearError", {"sessionId": session_id})
    assert cleared["error"] is None and cleared["status"] == "ready"


@pytest.mark.parametrize(
    ("op", "params", "status", "says"),
    [
        ("kv.set", {"key": "big", "value": "x" * 70_000}, 413, "at most 65536 bytes"),
        ("kv.set", {"key": "", "value": 1}, 400, "non-empty string"),
        ("kv.set", {"key": "k" * 257, "value": 1}, 400, "at most 256"),
        ("kv.set", {"key": "k", "value": 1, "sessionId": "another"}, 400, "takes no sessionId"),
        ("liveData.set", {"data": "y" * 263_000}, 413, "at most 262144 bytes"),
        ("liveData.set", {"data": "y" * 300_000}, 413, "at most 266240 bytes"),
        ("messages.send", {"text": "", "sender": "user"}, 400, "non-empty string"),
        ("messages.send", {"text": "z" * 4001, "sender": "user"}, 400, "at most 4000"),
        ("nope", {}, 400, "Unknown operation 'nope'"),
    ],
)
def test_bad_writes_are_refused_with_a_clear_error_and_change_nothing(api, client, op, params, status, says):
    session_id = new_session(api)
    live(client, session_id, "kv.set", key="kept", value="yes")

    code, body = live(client, session_id, op, **params)

    assert code == status and body["success"] is False and says in body["error"]["message"], body
    state = live(client, session_id)[1]["data"]
    assert state["kv"] == {"kept": "yes"} and state["liveData"] is None and state["revision"] == 1


def test_a_store_cannot_grow_past_its_key_and_byte_caps(api, client, settings):
    settings.STAGE_KV_MAX_KEYS, settings.STAGE_KV_MAX_BYTES = 3, 100
    session_id = new_session(api)
    for key in "abc":
        assert live(client, session_id, "kv.set", key=key, value=key)[0] == 200

    assert live(client, session_id, "kv.set", key="d", value=1)[0] == 413
    assert live(client, session_id, "kv.set", key="a", value="over-written")[0] == 200  # a key it has is fine
    assert live(client, session_id, "kv.set", key="b", value="b" * 95)[0] == 413
    assert SessionValue.objects.filter(session__public_id=session_id).count() == 3


def test_messages_keep_only_the_newest(api, client, settings):
    settings.STAGE_MESSAGES_KEPT = 3
    session_id = new_session(api)
    for n in range(5):
        live(client, session_id, "messages.send", text=f"m{n}", sender="user")

    assert [m["text"] for m in live(client, session_id)[1]["data"]["messages"]] == ["m2", "m3", "m4"]
    assert SessionMessage.objects.count() == 3


def test_one_session_id_reaches_that_session_only(api, client):
    mine, theirs = new_session(api), new_session(api)
    live(client, theirs, "kv.set", key="secret", value="theirs")

    live(client, mine, "kv.set", key="secret", value="mine")

    assert live(client, theirs)[1]["data"]["kv"] == {"secret": "theirs"}
    assert live(client, "s_nosuchsession00000")[0] == 404
    assert live(client, "s_nosuchsession00000", "kv.set", key="a", value=1)[0] == 404


def test_the_agents_side_is_the_owners_only(api, other_user):
    session_id = new_session(api)
    mallory = convex_client_for(other_user)

    for kind, fn, args in [
        ("mutation", "kvSet", {"key": "a", "value": 1}),
        ("query", "kvGet", {"key": "a"}),
        ("mutation", "setLiveData", {"data": 1}),
        ("query", "getLiveData", {}),
        ("mutation", "sendMessage", {"text": "x"}),
        ("query", "getMessages", {}),
        ("mutation", "clearMessages", {}),
        ("mutation", "clearError", {}),
        ("query", "getSession", {}),
    ]:
        assert "not found" in failure(mallory, kind, fn, {"sessionId": session_id, **args}).lower(), fn
    assert SessionValue.objects.count() == 0 and SessionMessage.objects.count() == 0


def test_a_flood_of_writes_is_turned_away_per_session(api, client, settings):
    settings.STAGE_SESSION_LIMITS = {**settings.STAGE_SESSION_LIMITS, "preview_live_writes": "5/min"}
    flooded, neighbour = new_session(api), new_session(api)

    codes = [live(client, flooded, "kv.set", key="n", value=n)[0] for n in range(8)]

    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    response = client.post(f"/s/{flooded}/live", '{"op": "kv.clear"}', content_type="application/json")
    assert int(response["Retry-After"]) > 0
    assert live(client, neighbour, "kv.set", key="n", value=1)[0] == 200  # another session's quota is its own


def test_pulse_and_ledger_record_for_the_app_published_from_the_session(api, client):
    plain = new_session(api)
    code, body = live(client, plain, "pulse.track", events=[{"name": "opened"}])
    assert code == 400 and "publish it first" in body["error"]["message"]

    app = api_publish(api, {"/app/App.tsx": "export default () => null;"})
    session_id = api.get(f"/api/v1/stage/apps/{app['sid']}").json()["data"]["sessionId"]
    code, body = live(
        client, session_id, "pulse.track", events=[{"name": "opened", "meta": {"tab": "a"}}, {"name": "x"}]
    )
    assert (code, body["data"]) == (200, {"recorded": 2})
    assert list(PulseEvent.objects.values_list("event", "properties")) == [("x", {}), ("opened", {"tab": "a"})]

    code, body = live(client, session_id, "ledger.audit", operation="read", resource="report.csv")
    assert code == 200 and body["data"]["seq"] == 1 and len(body["data"]["hash"]) == 64
    event = LedgerEvent.objects.get()
    assert (event.operation, event.resource, event.actor) == ("read", "report.csv", "preview")
    assert live(client, session_id, "ledger.audit", operation="steal")[0] == 400


@pytest.mark.parametrize(
    ("op", "params"),
    [
        ("kv.set", {"key": "k", "value": "x\u0000y"}),
        ("kv.set", {"key": "k", "value": {"nested\u0000key": 1}}),
        ("kv.set", {"key": "k\u0000", "value": 1}),
        ("liveData.set", {"data": ["\u0000"]}),
        ("messages.send", {"text": "hi\u0000", "sender": "user"}),
        ("messages.send", {"text": "hi", "sender": "us\u0000er"}),
    ],
)
def test_nul_characters_are_refused_not_a_server_error(api, client, op, params):
    session_id = new_session(api)

    code, body = live(client, session_id, op, **params)

    assert code == 400 and "NUL" in body["error"]["message"], body
    assert live(client, session_id)[1]["data"]["revision"] == 0


SURROGATES = [
    '{"op": "kv.set", "key": "k", "value": "\\ud800"}',
    '{"op": "kv.set", "key": "\\udfff", "value": 1}',
    '{"op": "messages.send", "text": "\\ud800", "sender": "user"}',
]


@pytest.mark.parametrize("raw", SURROGATES)
def test_lone_surrogates_are_refused_not_a_server_error(api, client, raw):
    session_id = new_session(api)

    response = client.post(f"/s/{session_id}/live", raw, content_type="application/json")

    assert response.status_code == 400 and "Unicode" in response.json()["error"]["message"]


def test_json_nested_past_the_parser_is_refused_not_a_server_error(api, client):
    session_id = new_session(api)
    deep = '{"op": "kv.set", "key": "k", "value": ' + "[" * 5000 + "]" * 5000 + "}"

    response = client.post(f"/s/{session_id}/live", deep, content_type="application/json")

    assert response.status_code == 400


def test_messages_are_capped_in_bytes_and_the_oldest_go_past_the_total(api, client, settings):
    settings.STAGE_MESSAGE_MAX_BYTES, settings.STAGE_MESSAGES_MAX_BYTES = 1000, 2500
    session_id = new_session(api)

    wide = "😀" * 300  # 300 characters, 1,200 bytes
    code, body = live(client, session_id, "messages.send", text=wide, sender="user")
    assert code == 413 and "1000 bytes" in body["error"]["message"]
    for n in range(4):
        live(client, session_id, "messages.send", text=f"{n}" + "é" * 400, sender="user")  # 801 bytes each

    kept = live(client, session_id)[1]["data"]["messages"]
    assert [m["text"][0] for m in kept] == ["1", "2", "3"]  # 2,403 bytes fit; the oldest went


def test_a_preview_cannot_put_words_in_someone_elses_mouth_in_the_ledger(api, client):
    app = api_publish(api, {"/app/App.tsx": "export default () => null;"})
    session_id = api.get(f"/api/v1/stage/apps/{app['sid']}").json()["data"]["sessionId"]

    code, _ = live(client, session_id, "ledger.audit", operation="delete", actor="ceo@corp", meta={"why": "x"})
    assert code == 200
    event = LedgerEvent.objects.get()
    assert event.actor == "preview" and event.meta == {"why": "x", "claimedActor": "ceo@corp"}
    code, body = live(client, session_id, "ledger.audit", operation="read", meta={"blob": "x" * 9000})
    assert code == 400 and "at most 8192 bytes" in body["error"]["message"]
    code, body = live(client, session_id, "pulse.track", events=[{"name": "x", "meta": {"blob": "y" * 9000}}])
    assert code == 400


def test_a_write_to_a_session_deleted_meanwhile_is_not_found(api):
    from stage.models import Session
    from stage.services.live import kv_set

    session = Session.objects.get(public_id=new_session(api))
    Session.objects.filter(pk=session.pk).delete()

    with pytest.raises(NotFound):
        kv_set(session=session, key="k", value=1)
