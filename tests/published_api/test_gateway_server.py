"""The gateway's own ASGI handler under the production profile (`make serve`): the request id, the security
headers and the metrics that the platform's middlewares give every other answer, given to backend answers too,
without overriding what an app's own origin answer sets for itself."""

import contextlib
import tempfile

import httpx
import pytest

from bench.harness import serve
from tests.support.publishing import deploy, publish
from tests.support.worker import worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

OWN_HEADERS = """export default { fetch: () => new Response("hi", { headers: {
  "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-app": "mine",
} }) };"""


@pytest.fixture
def web(transactional_db, tmp_path):
    with contextlib.ExitStack() as stack:
        runtime = stack.enter_context(tempfile.TemporaryDirectory(prefix="sb-", dir="/tmp"))
        env = {**worker_environment(), "STAGE_BACKEND_RUNTIME_DIR": runtime}
        yield stack.enter_context(serve(workers=1, extra_env=env, log=tmp_path / "web.log"))


def test_backend_answers_carry_the_request_id_and_the_platforms_security_headers(web, user):
    app = publish(user, OWN_HEADERS)

    platform = httpx.get(f"{web}/stage/{app.sid}/api/", headers={"X-Request-ID": "trace-42"}, timeout=15)
    label = app.sid.replace("_", "-")
    own = httpx.get(f"{web}/api/", headers={"Host": f"{label}.localhost"}, timeout=15)

    assert platform.status_code == own.status_code == 200
    assert platform.headers["x-request-id"] == "trace-42"
    assert len(own.headers["x-request-id"]) == 32  # a fresh id when the caller gave none
    for answer in (platform, own):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cross-origin-opener-policy"] == "same-origin"
    # the platform's origin keeps only data headers of the backend's, and its own policies
    assert platform.headers["referrer-policy"] == "same-origin" and platform.headers["x-app"] == "mine"
    # the app's origin keeps what the app set, never a second copy of the platform's
    assert own.headers.get_list("referrer-policy") == ["no-referrer"]
    assert own.headers.get_list("x-content-type-options") == ["nosniff"]


def test_backend_requests_are_counted_by_route(web, user):
    app = publish(user)
    for _ in range(3):
        httpx.get(f"{web}/stage/{app.sid}/api/health", timeout=15).raise_for_status()

    metrics = httpx.get(f"{web}/metrics", timeout=15).text

    counted = [line for line in metrics.splitlines() if line.startswith("stage_http_requests_total{")]
    gateway = [line for line in counted if 'route="stage/(?P<app_sid>' in line and 'status="200"' in line]
    assert gateway and float(gateway[0].rsplit(" ", 1)[1]) >= 3, counted


ECHO = """export default { fetch: async (r: Request) => Response.json({
  method: r.method, url: r.url, auth: r.headers.get("authorization"), cookie: r.headers.get("cookie"),
  host: r.headers.get("host"), custom: r.headers.getAll ? null : r.headers.get("x-custom"),
  body: await r.text(),
}, { headers: { "set-cookie": "s=1", "x-frame-options": "ALLOWALL", "x-app": "mine" } }) };"""


def test_the_platform_path_served_straight_from_the_scope_filters_as_the_views_do(web, user, api):
    """The production server reads platform gateway requests straight from the ASGI scope: what reaches the
    backend and what reaches the caller are the same as through Django's request and response objects."""
    app = publish(user, ECHO)
    url = f"{web}/stage/{app.sid}/api/items/7?x=1&stage_preview=t0k&y=%C3%A9"
    answer = httpx.post(
        url,
        content=b"payload",
        headers={"Authorization": f"Bearer {api.raw_key}", "Cookie": "sessionid=platform", "X-Custom": "kept"},
        timeout=15,
    )
    assert answer.status_code == 200
    seen = answer.json()
    assert seen["method"] == "POST" and seen["body"] == "payload" and seen["custom"] == "kept"
    assert seen["url"].endswith("/items/7?x=1&y=%C3%A9")  # the preview parameter gone, the rest byte for byte
    assert seen["auth"] is None and seen["cookie"] is None  # no platform credential reaches tenant code
    # the answer: data only, inert, with the platform's headers and a length
    assert "set-cookie" not in answer.headers and answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["content-security-policy"] == "sandbox; default-src 'none'; frame-ancestors 'none'"
    assert answer.headers["x-app"] == "mine" and answer.headers["cross-origin-opener-policy"] == "same-origin"
    assert int(answer.headers["content-length"]) == len(answer.content) and len(answer.headers["x-request-id"]) == 32
    head = httpx.head(f"{web}/stage/{app.sid}/api/", timeout=15)
    assert head.status_code == 200 and head.content == b""


def test_on_the_platform_path_errors_hosts_and_the_preview_check_answer_as_django_would(web, user, api):
    app = publish(user, "export default { fetch: () => new Response('v1') };")
    missing = httpx.get(f"{web}/stage/app_nothere0000000000000/api/", headers={"X-Request-ID": "t-1"}, timeout=15)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
    assert missing.headers["x-request-id"] == "t-1" and missing.headers["content-type"] == "application/json"
    # a Host that ALLOWED_HOSTS refuses is Django's 400, not served
    refused = httpx.get(f"{web}/stage/{app.sid}/api/", headers={"Host": "evil.example"}, timeout=15)
    assert refused.status_code == 400
    # the preview channel of a never-promoted version asks who is calling (a Django request, built only then)
    deploy(app, "export default { fetch: () => new Response('v2') };", promote=False)
    preview = {"X-Stage-Channel": "preview"}
    assert httpx.get(f"{web}/stage/{app.sid}/api/", headers=preview, timeout=15).status_code == 401
    owner = {**preview, "Authorization": f"Bearer {api.raw_key}"}
    assert httpx.get(f"{web}/stage/{app.sid}/api/", headers=owner, timeout=15).text == "v2"
    assert httpx.get(f"{web}/stage/{app.sid}/api/", timeout=15).text == "v1"
