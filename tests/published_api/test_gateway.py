"""The gateway: request in, response out, unchanged; headers injected; errors in the envelope."""

import time
from pathlib import Path

import pytest

from stage.services.published_apps import app_archive
from tests.support.publishing import HEALTH, deploy, publish

ECHO = """
import { Hono } from "hono";
const app = new Hono();
app.all("*", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  return c.json({
    method: c.req.method,
    path: c.req.path,
    query: c.req.query(),
    app: c.req.header("x-stage-app"),
    session: c.req.header("x-stage-session"),
    custom: c.req.header("x-custom"),
    bytes: Array.from(body),
  }, 201, { "x-reply": "yes" });
});
export default app;
"""


@pytest.mark.django_db
def test_the_spec_health_route_answers_through_the_gateway(client, user):
    app = publish(user)
    response = client.get(f"/stage/{app.sid}/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_method_path_query_headers_and_binary_body_pass_through(client, user):
    # given
    app = publish(user, ECHO)
    # when the client also tries to forge the injected headers
    response = client.put(
        f"/stage/{app.sid}/api/items/7?x=1&y=two",
        data=bytes([0, 255, 10, 13]),
        content_type="application/octet-stream",
        HTTP_X_CUSTOM="kept",
        HTTP_X_STAGE_APP="app_forged",
        HTTP_X_STAGE_SESSION="forged",
    )
    # then
    assert response.status_code == 201 and response["x-reply"] == "yes"
    assert response.json() == {
        "method": "PUT",
        "path": "/items/7",
        "query": {"x": "1", "y": "two"},
        "app": app.sid,
        "session": app.session.public_id,
        "custom": "kept",
        "bytes": [0, 255, 10, 13],
    }


@pytest.mark.django_db
def test_the_bare_prefix_arrives_as_root(client, user):
    app = publish(user, ECHO)
    assert client.get(f"/stage/{app.sid}/api").json()["path"] == "/"


@pytest.mark.django_db
def test_entrypoints_resolve_in_the_spec_order_and_objects_with_fetch_work(client, user):
    files = {
        "/app/index.ts": "export default { fetch: () => new Response('index') };",
        "/app/src/index.ts": "export default { fetch: () => new Response('src-index') };",
        "/app/app.tsx": "export default { fetch: (r: Request) => new Response('app-tsx ' + new URL(r.url).pathname) };",
    }
    app = publish(user, files)
    assert client.get(f"/stage/{app.sid}/api/x").content == b"app-tsx /x"


@pytest.mark.django_db
def test_relative_and_absolute_imports_across_session_files(client, user):
    files = {
        "/app/src/app.ts": "import { answer } from './lib/math';\nimport { name } from '/app/shared/name';\n"
        "export default { fetch: () => new Response(`${name}=${answer()}`) };",
        "/app/src/lib/math.ts": "export const answer = (): number => 42;",
        "/app/shared/name/index.ts": "export const name = 'answer';",
    }
    app = publish(user, files)
    assert client.get(f"/stage/{app.sid}/api/").content == b"answer=42"


@pytest.mark.django_db
def test_unknown_and_archived_apps_and_missing_entrypoints_are_404(client, user):
    assert client.get("/stage/app_nope/api/health").json()["error"]["code"] == "NOT_FOUND"
    archived = publish(user, name="archived")
    app_archive(app=archived)
    assert client.get(f"/stage/{archived.sid}/api/health").status_code == 404
    frontend_only = publish(user, {"/app/App.tsx": "export default () => null;"}, name="frontend")
    response = client.get(f"/stage/{frontend_only.sid}/api/health")
    assert response.status_code == 404 and response.json()["success"] is False


@pytest.mark.django_db
def test_a_compile_error_names_file_and_line(client, user):
    app = publish(
        user, {"/app/src/app.ts": "import './helper';\nexport default {};", "/app/src/helper.ts": "\nconst = ;"}
    )
    response = client.get(f"/stage/{app.sid}/api/health")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "BACKEND_COMPILE_ERROR"
    assert (error["details"]["file"], error["details"]["line"]) == ("/app/src/helper.ts", 2)
    assert "helper.ts:2" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source",
    [
        "import x from 'fs'; export default { fetch: () => new Response(String(x)) };",
        "import x from '/etc/passwd.json'; export default { fetch: () => new Response(String(x)) };",
        "import x from '../../../../etc/hostname.json'; export default { fetch: () => new Response(String(x)) };",
        "import x from 'lodash'; export default { fetch: () => new Response(String(x)) };",
    ],
    ids=["bare-package", "host-absolute", "host-relative", "other-platform-package"],
)
def test_imports_outside_the_app_files_do_not_compile(client, user, source):
    app = publish(user, source)
    response = client.get(f"/stage/{app.sid}/api/")
    assert response.json()["error"]["code"] == "BACKEND_COMPILE_ERROR"


@pytest.mark.django_db
def test_a_thrown_error_is_backend_error_with_its_message(client, user):
    source = HEALTH.replace(
        "export default app;", "app.get('/boom', () => { throw new Error('kaboom'); });\nexport default app;"
    )
    app = publish(user, source)
    response = client.get(f"/stage/{app.sid}/api/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "BACKEND_ERROR" and "kaboom" in response.json()["error"]["message"]
    assert client.get(f"/stage/{app.sid}/api/health").json() == {"status": "ok"}


@pytest.mark.django_db
def test_a_throw_at_module_load_is_a_backend_error(client, user):
    app = publish(user, "throw new Error('top-level');\nexport default {};")
    response = client.get(f"/stage/{app.sid}/api/")
    assert response.json()["error"] == {"code": "BACKEND_ERROR", "message": "Error: top-level"}


@pytest.mark.django_db
def test_the_preview_channel_is_chosen_by_header_and_answers_only_its_owner(client, api, other_api, user):
    app = publish(user, "export default { fetch: () => new Response('v1') };")
    deploy(app, "export default { fetch: () => new Response('v2') };", promote=False)
    assert client.get(f"/stage/{app.sid}/api/").content == b"v1"
    # the never-promoted preview: the owner's key reaches it, nobody else does
    assert api.get(f"/stage/{app.sid}/api/", HTTP_X_STAGE_CHANNEL="preview").content == b"v2"
    anonymous = client.get(f"/stage/{app.sid}/api/", HTTP_X_STAGE_CHANNEL="preview")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "UNAUTHORIZED"
    foreign = other_api.get(f"/stage/{app.sid}/api/", HTTP_X_STAGE_CHANNEL="preview")
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_a_redeploy_is_served_on_the_next_request(client, user):
    app = publish(user, "export default { fetch: () => new Response('v1') };")
    assert client.get(f"/stage/{app.sid}/api/").content == b"v1"
    deploy(app, "export default { fetch: () => new Response('v2') };")
    assert client.get(f"/stage/{app.sid}/api/").content == b"v2"


@pytest.mark.django_db
def test_an_oversized_request_is_413(client, user, settings):
    settings.STAGE_BACKEND_MAX_REQUEST_BYTES = 1000
    app = publish(user, ECHO)
    response = client.post(f"/stage/{app.sid}/api/", data=b"x" * 1001, content_type="application/octet-stream")
    assert response.status_code == 413 and response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.django_db
def test_response_status_and_headers_come_back_unchanged_but_cookies(client, user):
    source = """export default { fetch: () => new Response(new Uint8Array([1, 2, 3]), {
      status: 418,
      headers: { "content-type": "application/x-thing", "x-one": "1", "set-cookie": "a=b; Path=/" },
    }) };"""
    app = publish(user, source)
    response = client.get(f"/stage/{app.sid}/api/")
    assert (response.status_code, response.content, response["content-type"]) == (
        418,
        b"\x01\x02\x03",
        "application/x-thing",
    )
    assert response["x-one"] == "1"
    assert "a" not in response.cookies  # the platform's origin takes no cookie from a backend (test_origins.py)


# The spec's "Complete Example", kept as an example app in the repo (its compute module is left out here).
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC_COMPLETE_EXAMPLE = (EXAMPLES / "summarize_documents/app/src/app.ts").read_text()


@pytest.mark.django_db
def test_the_spec_complete_example_serves_health_and_reports_summarize_clearly(client, user):
    app = publish(user, SPEC_COMPLETE_EXAMPLE)
    assert client.get(f"/stage/{app.sid}/api/health").json() == {"status": "ok"}
    # without its documents compute module, /summarize fails with a message naming the missing module
    response = client.post(f"/stage/{app.sid}/api/summarize", {"documentId": "d1"}, content_type="application/json")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "BACKEND_ERROR"
    assert "documents" in error["message"], error


@pytest.mark.django_db
def test_idle_processes_are_reaped_and_started_again_on_demand(client, user, settings, backend_runtime):
    app = publish(user)
    assert client.get(f"/stage/{app.sid}/api/health").status_code == 200
    (process,) = backend_runtime.processes()
    settings.STAGE_BACKEND_IDLE_SECONDS = 0.0
    assert backend_runtime.reap_idle() == 1
    assert backend_runtime.processes() == []
    deadline = time.monotonic() + 5  # retired: it finishes what it serves (nothing here) and exits
    while process.alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not process.alive()
    assert client.get(f"/stage/{app.sid}/api/health").json() == {"status": "ok"}
    assert backend_runtime.processes()[0] is not process


AUTH_ECHO = "export default { fetch: (r: Request) => new Response(r.headers.get('authorization') ?? 'none') };"


@pytest.mark.django_db
def test_the_gateway_is_public_and_leaves_auth_to_the_app(client, anon_api, other_api, user):
    # given an app owned by alice
    app = publish(user, AUTH_ECHO)
    url = f"/stage/{app.sid}/api/me"
    # then no key and another owner's Stage key both reach the backend, which never sees a Stage key
    assert anon_api.get(url).content == b"none"
    assert other_api.get(url).content == b"none"
    # and the app's own bearer token reaches it untouched
    assert client.get(url, HTTP_AUTHORIZATION="Bearer app-token").content == b"Bearer app-token"
    # but not Basic credentials on the platform's origin: a browser keeps those for the platform itself (a proxy's
    # password, say) and would send them unasked; the app's own origin passes them
    assert client.get(url, HTTP_AUTHORIZATION="Basic dTpw").content == b"none"
    app_host = f"{app.sid.replace('_', '-')}.localhost"
    assert client.get("/api/me", HTTP_HOST=app_host, HTTP_AUTHORIZATION="Basic dTpw").content == b"Basic dTpw"
