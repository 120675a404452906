"""The public preview pages: what they show, the policies they send, and the runtime-error report endpoint."""

import json
import re
import time
from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from stage.models import Render
from tests.support.renders import BAD_IMPORT_APP, GOOD_APP, render_state, trigger
from tests.support.rest import new_session


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def nonce_of(response) -> str:
    match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


def page_config(response) -> dict:
    html = response.content.decode()
    raw = re.search(r'<script id="stage-config" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


class TagCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts = []

    def handle_starttag(self, tag, attrs):
        self.starts.append(tag)


def report(client, session_id: str, body, content_type="application/json"):
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/s/{session_id}/errors", raw, content_type=content_type)


def test_a_session_never_rendered_shows_how_to_push_and_render(api, client):
    session_id = new_session(api, GOOD_APP)

    response = client.get(f"/s/{session_id}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "has not been rendered yet" in html
    assert f"stage push ./app /app --session {session_id} --url http://testserver" in html
    assert f"stage render /app/App.tsx --session {session_id}" in html
    assert f"curl -X POST http://testserver/api/v1/stage/sessions/{session_id}/render" in html
    assert page_config(response)["render"] is None


def test_the_page_sends_a_nonce_policy_and_runs_only_its_own_nonced_script(api, client):
    session_id = new_session(api, GOOD_APP)

    response = client.get(f"/s/{session_id}")

    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = nonce_of(response)
    html = response.content.decode()
    assert html.count("<script nonce=") == html.count(f'<script nonce="{nonce}"') == 1
    assert response["X-Frame-Options"] == "DENY"
    assert nonce_of(client.get(f"/s/{session_id}")) != nonce


def test_a_ready_render_is_framed_sandboxed_without_same_origin(api, client, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    response = client.get(f"/s/{session_id}")

    html = response.content.decode()
    assert '<iframe id="stage-frame" title="App preview" sandbox="allow-scripts allow-forms" hidden>' in html
    assert "allow-same-origin" not in html
    config = page_config(response)
    assert config["readyVersion"] == 1 and config["render"]["status"] == "ready"
    # the frame comes from the session's own origin under the apps domain, which the page may frame
    assert config["frameUrl"] == f"http://s-{session_id}.localhost/frame"
    assert "frame-src 'self' http://s-" in response["Content-Security-Policy"]


def test_the_frame_inlines_the_artifact_under_its_own_policy(api, client, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    response = client.get(f"/s/{session_id}/frame?v=1")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    opaque = "sandbox allow-scripts allow-forms;"
    assert policy.startswith(opaque), "opened top-level, the frame's origin is still opaque"
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "connect-src" not in policy and "unsafe-eval" not in policy and "allow-same-origin" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    assert "Hello from Stage" in html
    # error reporting, the app (run once the shared libraries are in), and the loader of the shared libraries
    assert html.count(f'<script nonce="{nonce_of(response)}">') == 3
    assert client.get(f"/s/{session_id}/frame?v=7").status_code == 404
    assert client.get(f"/s/{session_id}/frame").status_code == 200


def test_hostile_closing_tags_in_app_code_cannot_break_out_of_the_frame_scripts(api, client, capture):
    hostile = [
        {
            "path": "/app/App.tsx",
            "content": "import './x.css';\nconst s = `</script><script>alert(1)</script>` + '</SCRIPT >';\n"
            "export default () => <p>{s}</p>;",
        },
        {"path": "/app/x.css", "content": "p::after { content: '</style><script>alert(2)</script>'; }"},
    ]
    session_id = new_session(api, hostile)
    trigger(api, session_id, capture)

    html = client.get(f"/s/{session_id}/frame").content.decode()

    # a parser that treats script and style bodies as raw text, as browsers do, sees only our elements
    tags = TagCounter()
    tags.feed(html)
    head, body = ["html", "head", "meta", "meta", "title", "style"], ["body", "div", "script", "script", "script"]
    assert tags.starts == head + body
    assert "alert(1)" in html  # still there, as text inside the app's own string


def test_a_failed_build_is_shown_as_data_never_as_markup(api, client, capture):
    session_id = new_session(
        api, [{"path": "/app/App.tsx", "content": "import x from '<img src=x onerror=alert(1)>';\nexport default x;"}]
    )
    trigger(api, session_id, capture)

    response = client.get(f"/s/{session_id}")

    html = response.content.decode()
    assert "<img src=x" not in html
    render = page_config(response)["render"]
    assert render["status"] == "failed"
    assert render["errorLocations"][0]["file"] == "/app/App.tsx"
    assert "<img src=x onerror=alert(1)>" in render["errorLocations"][0]["message"]


def test_the_state_endpoint_tells_the_latest_render_and_the_newest_ready_version(api, client, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)
    api.post(f"/api/v1/stage/sessions/{session_id}/push", {"files": BAD_IMPORT_APP}, format="json")
    trigger(api, session_id, capture)

    body = client.get(f"/s/{session_id}/state").json()

    assert body["success"] is True
    assert body["data"]["readyVersion"] == 1
    assert body["data"]["render"]["version"] == 2 and body["data"]["render"]["status"] == "failed"


@pytest.mark.parametrize("path", ["/s/nosuchsession", "/s/nosuchsession/frame", "/s/nosuchsession/state"])
def test_an_unknown_session_is_not_found(client, db, path):
    response = client.get(path)

    assert response.status_code == 404


def test_a_runtime_error_report_lands_in_the_render_state(api, client, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    response = report(client, session_id, {"version": 1, "error": "Runtime error: boom"})

    assert response.status_code == 200
    assert response.json()["data"]["error"] == "Runtime error: boom"
    state = render_state(api, session_id)
    assert (state["status"], state["error"]) == ("ready", "Runtime error: boom")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param("not json", 400, "VALIDATION_ERROR", id="not-json"),
        pytest.param([1, 2], 400, "VALIDATION_ERROR", id="not-an-object"),
        pytest.param({"error": "x", "admin": True}, 400, "VALIDATION_ERROR", id="unknown-key"),
        pytest.param({"error": ""}, 400, "VALIDATION_ERROR", id="empty-error"),
        pytest.param({"error": 5}, 400, "VALIDATION_ERROR", id="error-not-string"),
        pytest.param({"error": "a\x00b"}, 400, "VALIDATION_ERROR", id="nul-byte"),
        pytest.param({"error": "x", "version": "1"}, 400, "VALIDATION_ERROR", id="version-string"),
        pytest.param({"error": "x", "version": True}, 400, "VALIDATION_ERROR", id="version-bool"),
        pytest.param({"error": "x", "version": 0}, 400, "VALIDATION_ERROR", id="version-zero"),
        pytest.param({"error": "x", "version": 99}, 404, "NOT_FOUND", id="no-such-version"),
        pytest.param({"error": "x" * 20_000}, 413, "PAYLOAD_TOO_LARGE", id="too-large"),
    ],
)
def test_bad_error_reports_are_refused_and_change_nothing(api, client, capture, body, status, code):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    response = report(client, session_id, body)

    assert response.status_code == status
    assert response.json() == {
        "success": False,
        "error": {"code": code, "message": response.json()["error"]["message"]},
    }
    assert Render.objects.get(session__public_id=session_id).error is None


def test_a_report_cannot_overwrite_the_errors_of_a_failed_build(api, client, capture):
    session_id = new_session(api, BAD_IMPORT_APP)
    trigger(api, session_id, capture)
    before = render_state(api, session_id)

    response = report(client, session_id, {"version": 1, "error": "all fine, nothing to see"})

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No ready render to report an error on"
    assert render_state(api, session_id) == before


def test_error_reports_for_unknown_sessions_or_by_get_are_refused(client, db):
    assert report(client, "nosuchsession", {"error": "x"}).status_code == 404
    assert client.get("/s/nosuchsession/errors").status_code == 405


def test_error_reports_are_rate_limited_per_session(api, client, capture, settings):
    settings.STAGE_SESSION_LIMITS = {"preview_error_reports": "2/min"}
    cache.clear()
    flooded, neighbour = new_session(api, GOOD_APP), new_session(api, GOOD_APP)
    trigger(api, flooded, capture)
    trigger(api, neighbour, capture)

    statuses = [report(client, flooded, {"version": 1, "error": f"boom {i}"}).status_code for i in range(2)]
    refused = report(client, flooded, {"version": 1, "error": "boom 3"})

    assert statuses == [200, 200]
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert render_state(api, flooded)["error"] == "boom 1"  # the refused report changed nothing
    assert report(client, neighbour, {"version": 1, "error": "other"}).status_code == 200


def test_the_frame_on_the_sessions_own_origin_is_sandboxed_and_framed_only_by_the_platform(api, client, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)
    host = f"s-{session_id}.localhost"

    response = client.get("/frame?v=1", HTTP_HOST=host)

    assert response.status_code == 200 and "Hello from Stage" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox allow-scripts allow-forms;")
    ancestors = policy.split("frame-ancestors ")[1]
    assert "127.0.0.1:*" in ancestors and "localhost:*" in ancestors
    # nothing of the platform is routed on a session's origin, and no platform cookie is set there
    for path in ("/admin/", f"/s/{session_id}", "/api/v1/stage/sessions", f"/s/{session_id}/frame"):
        assert client.get(path, HTTP_HOST=host).status_code == 404, path
    assert not response.cookies


def test_hostile_error_reports_are_refused_or_recorded_untraced_never_a_server_error(api, client, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    overflow = "stage-app.js:" + "9" * 5000 + ":1"
    huge_position = report(client, session_id, {"version": 1, "error": "Runtime error: x", "stack": overflow})
    surrogate = report(client, session_id, '{"version": 1, "error": "\\ud800"}')
    deep = report(client, session_id, '{"version": 1, "error": "x", "stack": ' + "[" * 3000 + "]" * 3000 + "}")

    assert huge_position.status_code == 200 and huge_position.json()["data"]["error"] == "Runtime error: x"
    assert surrogate.status_code == 400 and deep.status_code == 400


def test_a_report_that_finds_the_source_map_reader_busy_is_recorded_untraced_at_once(api, client, capture):
    from stage.renders.runtime_errors import tracer

    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)
    stack = "TypeError: boom\n    at App (stage-app.js:2:10)"
    with tracer.lock:  # another report is being traced
        started = time.monotonic()
        response = report(client, session_id, {"version": 1, "error": "Runtime error: boom", "stack": stack})
        took = time.monotonic() - started

    assert response.status_code == 200 and response.json()["data"]["error"] == "Runtime error: boom"
    assert took < 1.0


def test_source_maps_carry_only_the_sessions_sources_and_a_huge_one_loses_its_texts(api, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)
    kept = json.loads(Render.objects.get(session__public_id=session_id).artifact.source_map)
    texts = dict(zip(kept["sources"], kept["sourcesContent"], strict=True))
    assert any(source.startswith("vfs:") and text for source, text in texts.items())
    assert all(text is None for source, text in texts.items() if not source.startswith("vfs:"))

    parts = {f"/app/part{n}.ts": f"export default `{'x' * 900_000}`;" for n in range(3)}  # 2.7 MB of source
    entry = (
        "".join(f"import p{n} from './part{n}';\n" for n in range(3)) + "export default () => <p>{p0 + p1 + p2}</p>;"
    )
    big = new_session(api, {"/app/App.tsx": entry, **parts})
    trigger(api, big, capture)
    assert "sourcesContent" not in json.loads(Render.objects.get(session__public_id=big).artifact.source_map)


def test_the_artifact_of_a_ready_version_is_there_for_the_page_to_hand_over(api, client, capture):
    session_id = new_session(api, GOOD_APP)
    trigger(api, session_id, capture)

    body = client.get(f"/s/{session_id}/artifact?v=1").json()

    assert body["success"] is True and body["data"]["version"] == 1
    assert "Hello from Stage" in body["data"]["js"] and len(body["data"]["shared"]) == 64
    assert client.get(f"/s/{session_id}/artifact?v=7").status_code == 404
    assert client.get("/s/s_nosuchsession00000/artifact").status_code == 404
