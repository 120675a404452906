"""The browser @stage/* modules in real Chromium: an app in its preview reads and writes the session's key-value
store, live data and messages through the page around its frame, and re-renders when an agent changes them."""

import pytest
from playwright.sync_api import expect

from stage.models import SessionValue
from tests.support.convex import convex_client_for, value
from tests.support.openai_server import OpenAIServer, use_as_default_provider
from tests.support.renders import trigger
from tests.support.rest import api_publish, new_session
from workflows.models import LedgerEvent, PulseEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETTINGS = """import { useState } from "react";
import { kv } from "@stage/kv";
import { Button } from "@/components/ui/button";
export default function Settings() {
  const [theme, setTheme] = useState(kv.get("theme") ?? "light");
  const choose = (next) => { setTheme(next); kv.set("theme", next); };
  return <div className={theme === "dark" ? "dark" : ""}>
    <p id="theme">{theme}</p><p id="keys">{kv.list().join(",")}</p>
    <Button id="dark" onClick={() => choose("dark")}>Dark</Button>
  </div>;
}
"""
COUNTER = """import { liveData, setLiveData } from "@stage/convex";
export default function Counter() {
  const count = liveData?.count ?? 0;
  return <div><p id="count">{count}</p>
    <button id="inc" onClick={() => setLiveData({ count: count + 1 })}>+1</button></div>;
}
"""
CHAT = """import { useState } from "react";
import { messages, sendMessage } from "@stage/convex";
import { Input } from "@/components/ui/input";
export default function Chat() {
  const [text, setText] = useState("");
  const send = (event) => { event.preventDefault(); sendMessage(text, "user"); setText(""); };
  return <div>
    <ul id="log">{messages.map((m) => <li key={m.id}>{m.sender}: {m.text}</li>)}</ul>
    <form onSubmit={send}><Input id="text" value={text} onChange={(e) => setText(e.target.value)} /></form>
  </div>;
}
"""
PLATFORM = """import { useEffect, useState } from "react";
import { app } from "@stage/app";
import { pulse } from "@stage/pulse";
import { ledger } from "@stage/ledger";
import { google } from "@stage/google";
import { inference } from "@stage/inference";
import { batchedMap, fetchWithRetry } from "@stage/utils";
export default function Platform() {
  const [seen, setSeen] = useState({});
  const note = (name) => (value) => setSeen((s) => ({ ...s, [name]: String(value) }));
  useEffect(() => {
    pulse.track("opened", { from: "test" });
    pulse.flush().then(() => note("pulse")("sent"));
    ledger.audit("read", { resource: "report.csv" })
      .then((e) => note("ledger")(e.seq), (e) => note("ledger")(e.message));
    google.signIn().catch((e) => note("google")(e.message));
    inference.chat({ model: "m", messages: [] }).catch((e) => note("inference")(e.message));
    batchedMap([1, 2, 3], async (n) => n * 2, 2).then((r) => note("batched")(r.join(",")));
    fetchWithRetry("https://example.com/", {}, 0).catch(() => note("fetch")("blocked"));
  }, []);
  return <dl>
    <dt>app</dt><dd id="app">{app ? `${app.sid} ${app.name}` : "none"}</dd>
    {Object.entries(seen).map(([k, v]) => <p key={k} id={k}>{v}</p>)}
  </dl>;
}
"""


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def preview(api, capture, page, live_server, source: str, session_id: str | None = None):
    session_id = session_id or new_session(api, {"/app/App.tsx": source})
    if session_id and source:
        api.post(f"/api/v1/stage/sessions/{session_id}/push", {"files": [{"path": "/app/App.tsx", "content": source}]},
                 format="json")  # fmt: skip
    trigger(api, session_id, capture)
    page.goto(f"{live_server.url}/s/{session_id}")
    return session_id, page.frame_locator("#stage-frame")


def test_a_settings_page_on_kv_keeps_its_choice_across_reloads(api, capture, page, live_server):
    session_id, frame = preview(api, capture, page, live_server, SETTINGS)
    expect(frame.locator("#theme")).to_have_text("light")

    frame.locator("#dark").click()

    expect(frame.locator("#theme")).to_have_text("dark")
    expect(frame.locator("#keys")).to_have_text("theme")  # read back at once, before the server answered
    page.reload()
    expect(frame.locator("#theme")).to_have_text("dark")  # from the snapshot the app started with
    assert SessionValue.objects.get(session__public_id=session_id, key="theme").value == "dark"


def test_a_counter_on_live_data_follows_the_agent_within_a_second(api, capture, page, live_server, user):
    session_id, frame = preview(api, capture, page, live_server, COUNTER)
    expect(frame.locator("#count")).to_have_text("0")
    frame.locator("#inc").click()
    expect(frame.locator("#count")).to_have_text("1")

    value(convex_client_for(user), "mutation", "setLiveData", {"sessionId": session_id, "data": {"count": 41}})

    expect(frame.locator("#count")).to_have_text("41", timeout=1500)


def test_a_chat_on_messages_shows_both_sides(api, capture, page, live_server, user):
    session_id, frame = preview(api, capture, page, live_server, CHAT)

    frame.locator("#text").fill("hello, agent")
    frame.locator("#text").press("Enter")
    expect(frame.locator("#log li")).to_have_text(["user: hello, agent"])
    said = value(convex_client_for(user), "query", "getMessages", {"sessionId": session_id})
    assert [m["text"] for m in said] == ["hello, agent"]
    value(convex_client_for(user), "mutation", "sendMessage", {"sessionId": session_id, "text": "hello, human"})

    expect(frame.locator("#log li")).to_have_text(["user: hello, agent", "agent: hello, human"], timeout=1500)


def test_the_platform_modules_in_a_published_sessions_preview(api, capture, page, live_server):
    app = api_publish(api, {"/app/App.tsx": PLATFORM})
    session_id = api.get(f"/api/v1/stage/apps/{app['sid']}").json()["data"]["sessionId"]

    _, frame = preview(api, capture, page, live_server, "", session_id)

    expect(frame.locator("#app")).to_have_text(f"{app['sid']} shiftcal-preview")
    expect(frame.locator("#pulse")).to_have_text("sent")
    expect(frame.locator("#ledger")).to_have_text("1")
    expect(frame.locator("#google")).to_contain_text("Google sign-in is not configured")
    expect(frame.locator("#inference")).to_contain_text("Inference is not allowed from this session's preview")
    expect(frame.locator("#batched")).to_have_text("2,4,6")
    expect(frame.locator("#fetch")).to_have_text("blocked")  # the preview's policy lets no request out
    assert PulseEvent.objects.get().properties == {"from": "test"}
    assert LedgerEvent.objects.get().resource == "report.csv"


ASK = """import { useEffect, useState } from "react";
import { inference } from "@stage/inference";
export default function Ask() {
  const [answer, setAnswer] = useState("");
  useEffect(() => {
    inference.chat({ messages: [{ role: "user", content: "please sum up the quarter" }] })
      .then((r) => setAnswer(r.content[0].text), (e) => setAnswer(e.message));
  }, []);
  return <p id="answer">{answer}</p>;
}
"""


def test_inference_answers_in_a_preview_the_owner_allowed(api, capture, page, live_server, settings):
    with OpenAIServer() as provider:
        use_as_default_provider(settings, provider)
        session_id = new_session(api, {"/app/App.tsx": ASK})
        api.put(f"/api/v1/inference/previews/{session_id}", {"tokensPerHour": 10_000}, format="json")

        _, frame = preview(api, capture, page, live_server, "", session_id)

        expect(frame.locator("#answer")).to_have_text("Summary: sum up the quarter")
        assert len(provider.requests) == 1


def test_a_plain_session_has_no_app_and_says_why_pulse_is_not_recorded(api, capture, page, live_server):
    _, frame = preview(api, capture, page, live_server, PLATFORM)

    expect(frame.locator("#app")).to_have_text("none")
    expect(frame.locator("#ledger")).to_contain_text("publish it first")
    assert not PulseEvent.objects.exists()


def test_opened_on_its_own_the_app_runs_and_writes_say_why_they_cannot_be_kept(api, capture, page, live_server):
    source = SETTINGS.replace('kv.set("theme", next);', 'kv.set("theme", next).catch((e) => setError(e.message));')
    source = source.replace(
        'const [theme, setTheme] = useState(kv.get("theme") ?? "light");',
        'const [theme, setTheme] = useState(kv.get("theme") ?? "light");\n  const [error, setError] = useState("");',
    ).replace('<p id="theme">{theme}</p>', '<p id="theme">{theme}</p><p id="error">{error}</p>')
    session_id = new_session(api, {"/app/App.tsx": source})
    trigger(api, session_id, capture)
    port = live_server.url.rsplit(":", 1)[1]

    page.goto(f"http://s-{session_id.replace('_', '-')}.localhost:{port}/frame")
    page.locator("#dark").click()

    expect(page.locator("#error")).to_contain_text("not inside a Stage page")
    assert not SessionValue.objects.exists()
