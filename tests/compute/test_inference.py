"""@stage/inference through the real `openai` client against a local OpenAI-wire server, over REST and the bridge."""

import pytest

from published_api.inference.models import Provider, Usage
from published_api.inference.secrets import encrypt
from stage.services.sessions import session_create
from tests.support.openai_server import VALID_KEY
from tests.support.publishing import publish

CHAT = {"messages": [{"role": "user", "content": "Summarize: the quarterly numbers went up"}]}


@pytest.fixture
def session(user):
    return session_create(owner=user, name="inference")


def post(api, session, path, body):
    return api.post(f"/api/v1/inference/{path}", body, format="json", HTTP_X_STAGE_SESSION=session.public_id)


@pytest.mark.django_db
def test_chat_uses_the_default_model_and_records_usage(api, session, openai_env):
    response = post(api, session, "chat", {**CHAT, "maxTokens": 50, "temperature": 0.2})
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {
        "content": [{"type": "text", "text": "Summary: the quarterly numbers went up"}],
        "model": "gpt-4o-mini",
        "usage": {"inputTokens": 6, "outputTokens": 6},
        "stopReason": "stop",
    }
    sent = openai_env.requests[-1]
    assert {k.lower(): v for k, v in sent["headers"].items()}["authorization"] == f"Bearer {VALID_KEY}"
    assert sent["body"]["max_tokens"] == 50 and sent["body"]["temperature"] == 0.2
    usage = Usage.objects.get(session_id=session.public_id)
    assert (usage.provider, usage.model, usage.kind, usage.status) == ("openai", "gpt-4o-mini", "chat", "ok")
    assert (usage.input_tokens, usage.output_tokens) == (6, 6)


@pytest.mark.django_db
def test_embed_and_images(api, session, openai_env):
    response = post(api, session, "embed", {"model": "text-embedding-3-small", "input": ["a b", "c"]})
    assert response.json()["data"] == {
        "embeddings": [[3.0, 2.0, 0.5], [1.0, 1.0, 0.5]],
        "model": "text-embedding-3-small",
        "usage": {"inputTokens": 3},
    }
    response = post(api, session, "images", {"model": "gpt-image-1", "prompt": "a diagram", "size": "1024x1024"})
    assert response.json()["data"] == {"images": [{"url": "https://img.local/1.png"}], "model": "gpt-image-1"}
    assert openai_env.requests[-1]["body"]["size"] == "1024x1024"
    kinds = sorted(Usage.objects.filter(session_id=session.public_id).values_list("kind", flat=True))
    assert kinds == ["embed", "image"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "status", "code", "text"),
    [
        ("rate-limited", 429, "RATE_LIMITED", "Provider openai is rate limiting"),
        ("broken", 502, "PROVIDER_ERROR", "Provider openai answered 500"),
    ],
)
def test_provider_errors_are_clear_and_recorded(api, session, openai_env, model, status, code, text):
    response = post(api, session, "chat", {**CHAT, "model": model})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and text in response.json()["error"]["message"]
    assert Usage.objects.get(session_id=session.public_id).status == code


@pytest.mark.django_db
def test_a_refused_key_is_a_clear_error(api, session, openai_env, settings):
    settings.OPENAI_API_KEY = "sk-wrong"
    response = post(api, session, "chat", CHAT)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "PROVIDER_AUTH_FAILED"
    assert "Provider openai refused the API key" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_no_provider_says_how_to_configure_one(api, session):
    response = post(api, session, "chat", CHAT)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "INFERENCE_NOT_CONFIGURED"
    assert "OPENAI_API_KEY" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_admin_providers_with_encrypted_or_env_keys_and_allowed_models(api, session, openai_server, monkeypatch):
    Provider.objects.create(
        name="openai-prod",
        base_url=openai_server.base_url,
        api_key_encrypted=encrypt(VALID_KEY),
        default_model="gpt-4o",
        allowed_models=["gpt-4o", "gpt-4o-mini"],
    )
    monkeypatch.setenv("LOCAL_KEY", VALID_KEY)
    Provider.objects.create(name="local", base_url=openai_server.base_url, api_key_env="LOCAL_KEY", default_model="m1")
    response = post(api, session, "chat", {**CHAT, "provider": "openai-prod"})
    assert response.json()["data"]["model"] == "gpt-4o"
    assert post(api, session, "chat", {**CHAT, "provider": "local"}).json()["data"]["model"] == "m1"
    response = post(api, session, "chat", {**CHAT, "provider": "openai-prod", "model": "o3"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Model o3 is not allowed for provider openai-prod")
    assert post(api, session, "chat", {**CHAT, "provider": "nope"}).status_code == 404
    usage = api.get("/api/v1/inference/usage?provider=openai-prod", HTTP_X_STAGE_SESSION=session.public_id).json()
    assert usage["data"]["totals"] == {"calls": 1, "errors": 0, "inputTokens": 6, "outputTokens": 6}
    assert [row["model"] for row in usage["data"]["byModel"]] == ["gpt-4o"]
    unknown = api.get("/api/v1/inference/usage?provider=nope", HTTP_X_STAGE_SESSION=session.public_id)
    assert unknown.status_code == 404 and unknown.json()["error"]["message"] == "Unknown inference provider: nope"


@pytest.mark.django_db
def test_rest_is_scoped_by_the_callers_own_session(api, other_api, anon_api, session, openai_env):
    assert post(other_api, session, "chat", CHAT).status_code == 404
    assert post(anon_api, session, "chat", CHAT).status_code == 401
    response = api.post("/api/v1/inference/chat", CHAT, format="json")
    assert response.status_code == 400 and "X-Stage-Session" in response.json()["error"]["message"]
    assert not Usage.objects.filter(session_id=session.public_id).exists()
    for query in ("since=yesterday", "since=0.0", "until=1e3", "since=%EF%BC%91"):  # the last a full-width 1
        response = api.get(f"/api/v1/inference/usage?{query}", HTTP_X_STAGE_SESSION=session.public_id)
        assert response.status_code == 400, query
    response = api.get("/api/v1/inference/usage?since=0&until=99", HTTP_X_STAGE_SESSION=session.public_id)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"messages": []},
        {"messages": [{"role": "hacker", "content": "x"}]},
        {"messages": [{"role": "user", "content": 5}]},
        {**CHAT, "temperature": 9},
        {**CHAT, "maxTokens": 5.5},
        {**CHAT, "maxTokens": "5"},
        {**CHAT, "maxTokens": True},
        {**CHAT, "unknown": 1},
        "not an object",
    ],
)
def test_bad_chat_input_is_a_validation_error_and_calls_nothing(api, session, openai_env, body):
    response = post(api, session, "chat", body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert openai_env.requests == []


BACKEND = """
import { Hono } from "hono";
import { inference } from "@stage/inference";
const app = new Hono();
app.post("/:method", async (c) => {
  try { return c.json(await inference[c.req.param("method")](await c.req.json())); }
  catch (e) { return c.json({ error: `${e.name}: ${e.message}` }, 400); }
});
export default app;
"""


@pytest.mark.django_db(transaction=True)  # the bridge records usage from its own thread and connection
def test_backends_call_inference_attributed_to_their_session_and_app(client, user, openai_env):
    app = publish(user, BACKEND, name="ai")
    response = client.post(f"/stage/{app.sid}/api/chat", CHAT, content_type="application/json")
    assert response.json()["content"][0]["text"] == "Summary: the quarterly numbers went up"
    usage = Usage.objects.get(app_sid=app.sid)
    assert usage.session_id == app.session.public_id and usage.kind == "chat"
    totals = client.post(f"/stage/{app.sid}/api/usage", {}, content_type="application/json").json()["totals"]
    assert totals["calls"] == 1 and totals["outputTokens"] == 6
    response = client.post(f"/stage/{app.sid}/api/chat", {**CHAT, "model": "broken"}, content_type="application/json")
    assert response.json() == {
        "error": "Error: Provider openai answered 500: The server had an error while processing your request."
    }


ACTIONS = """
import { action } from "@stage/compute";
export const ask = action({ handler: async (ctx, { question, url, key }) => {
  const answer = await ctx.inference.chat({ messages: [{ role: "user", content: question }] });
  const raw = await ctx.fetch(url, { method: "POST", headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: question }] }) });
  return { viaInference: answer.content[0].text, viaFetch: (await raw.json()).choices[0].message.content };
} });
"""


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_action_calls_inference_and_fetch_through_egress(api, user, openai_env, settings):
    settings.STAGE_EGRESS_ALLOW = [openai_env.base_url.split("/")[2]]
    app = publish(user, {"/app/compute/assistant.ts": ACTIONS}, name="actions")
    args = {
        "question": "Summarize: egress and inference",
        "url": f"{openai_env.base_url}/chat/completions",
        "key": VALID_KEY,
    }
    response = api.post(
        f"/api/v1/stage/apps/{app.sid}/compute/action",
        {"module": "assistant", "fn": "ask", "args": args},
        format="json",
    )
    assert response.json()["data"] == {
        "viaInference": "Summary: egress and inference",
        "viaFetch": "Summary: egress and inference",
    }
    assert Usage.objects.get(app_sid=app.sid).kind == "chat"


@pytest.mark.django_db(transaction=True)  # the bridge records usage from its own thread and connection
def test_an_app_whose_token_budget_is_spent_gets_no_further_calls(client, user, openai_env, settings):
    settings.STAGE_APP_LIMITS = {**settings.STAGE_APP_LIMITS, "inference_tokens": "20/hour"}
    app = publish(user, BACKEND, name="thrifty")

    def chat():
        return client.post(f"/stage/{app.sid}/api/chat", CHAT, content_type="application/json").json()

    # each call spends 12 tokens: the first two fit under 20 when they start, the third finds the budget spent
    assert chat()["content"][0]["text"] and chat()["content"][0]["text"]
    refused = chat()
    assert "inference tokens limit is reached" in refused["error"], refused
    assert Usage.objects.filter(app_sid=app.sid).count() == 2, "the refused call never reached the provider"
