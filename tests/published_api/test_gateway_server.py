"""The gateway's own ASGI handler under the production profile (`make serve`): the request id, the security
headers and the metrics that the platform's middlewares give every other answer, given to backend answers too,
without overriding what an app's own origin answer sets for itself."""

import contextlib
import tempfile

import httpx
import pytest

from bench.harness import serve
from tests.support.publishing import publish
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
