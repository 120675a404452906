"""Inference from a session's preview: refused until the owner allows it, then on the owner's providers within
the token budget the owner set, recorded against the session."""

import json

import pytest

from published_api.inference.models import Usage
from tests.support.openai_server import OpenAIServer, use_as_default_provider
from tests.support.rest import new_session

pytestmark = pytest.mark.django_db
CHAT = {"op": "inference.chat", "messages": [{"role": "user", "content": "please sum up these numbers"}]}


@pytest.fixture
def provider(settings):
    with OpenAIServer() as server:
        use_as_default_provider(settings, server)
        yield server


def from_preview(client, session_id: str, body: dict):
    response = client.post(f"/s/{session_id}/live", json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def allow(api, session_id: str, tokens: int):
    return api.put(f"/api/v1/inference/previews/{session_id}", {"tokensPerHour": tokens}, format="json")


def test_a_preview_may_not_spend_the_owners_providers_until_the_owner_allows_it(api, client, provider):
    session_id = new_session(api)

    status, body = from_preview(client, session_id, CHAT)

    assert status == 403 and body["error"]["code"] == "FORBIDDEN"
    assert f"PUT /api/v1/inference/previews/{session_id}" in body["error"]["message"]
    assert provider.requests == [] and not Usage.objects.filter(session_id=session_id).exists()


def test_allowed_it_answers_on_the_owners_provider_and_records_the_usage(api, client, provider):
    session_id = new_session(api)
    answer = allow(api, session_id, 20_000)
    assert answer.status_code == 200
    assert answer.json()["data"] == {"sessionId": session_id, "allowed": True, "tokensPerHour": 20_000}

    status, body = from_preview(client, session_id, CHAT)

    assert status == 200 and body["data"]["content"][0]["text"] == "Summary: sum up these numbers"
    usage = Usage.objects.get(session_id=session_id)
    assert (usage.session_id, usage.kind) == (session_id, "chat")
    assert from_preview(client, session_id, {"op": "inference.usage"})[1]["data"]["totals"]["calls"] == 1


def test_the_budget_stops_the_preview_until_the_hour_moves_on(api, client, provider):
    session_id = new_session(api)
    allow(api, session_id, 5)  # one call spends about ten tokens

    assert from_preview(client, session_id, CHAT)[0] == 200
    status, body = from_preview(client, session_id, CHAT)

    assert status == 429 and "inference tokens" in body["error"]["message"]
    assert Usage.objects.filter(session_id=session_id).count() == 1


def test_the_leave_is_the_owners_to_give_and_to_take_back(api, other_api, client, provider):
    session_id = new_session(api)

    assert allow(other_api, session_id, 1000).status_code == 404
    assert other_api.get(f"/api/v1/inference/previews/{session_id}").status_code == 404
    allow(api, session_id, 1000)
    assert api.delete(f"/api/v1/inference/previews/{session_id}").json()["data"]["allowed"] is False
    assert from_preview(client, session_id, CHAT)[0] == 403
    assert allow(api, session_id, -1).status_code == 400
    assert api.put(f"/api/v1/inference/previews/{session_id}", {"tokensPerHour": "9"}, format="json").status_code == 400


def test_an_image_counts_against_the_budget_and_a_chat_is_held_to_what_it_booked(api, client, provider):
    session_id = new_session(api)
    allow(api, session_id, 6000)  # one image (5000) and a little

    assert from_preview(client, session_id, {"op": "inference.image", "prompt": "a cat"})[0] == 200
    status, body = from_preview(client, session_id, {"op": "inference.image", "prompt": "another cat"})
    assert status == 429 and body["error"]["code"] == "RATE_LIMITED"

    other = new_session(api)
    allow(api, other, 300)
    from_preview(client, other, CHAT)
    assert provider.requests[-1]["body"]["max_tokens"] == 300  # no more output than the budget holds
