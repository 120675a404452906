"""Per-app limits wired into the platform: gateway requests and workflow runs answer 429 RATE_LIMITED."""

import pytest
from django.core.cache import cache

from tests.support.publishing import publish as publish_backend
from tests.support.workflows import error_of, publish_workflows, run

pytestmark = pytest.mark.django_db

ECHO = {"echo": {"steps": [{"response": {"status": 200, "body": {"ok": True}}}]}}


def test_an_apps_workflow_runs_past_its_limit_are_429_and_not_recorded(api, settings):
    from workflows.models import Run

    cache.clear()
    settings.STAGE_APP_LIMITS = {"workflow_runs": "2/hour"}
    app = publish_workflows(api, ECHO)
    assert [run(api, app["sid"], "echo").status_code for _ in range(2)] == [200, 200]
    refused = run(api, app["sid"], "echo")
    assert error_of(refused)[:2] == (429, "RATE_LIMITED")
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert Run.objects.filter(app__sid=app["sid"]).count() == 2
    # another app has its own budget
    assert run(api, publish_workflows(api, ECHO)["sid"], "echo").status_code == 200


@pytest.fixture
def backends():
    from published_api.runtime import supervisor

    yield supervisor
    supervisor.stop_all()


def test_an_apps_gateway_requests_past_its_limit_are_429_in_the_envelope(client, user, settings, backends):
    cache.clear()
    settings.STAGE_APP_LIMITS = {"backend_requests": "2/min"}
    app = publish_backend(user)
    assert [client.get(f"/stage/{app.sid}/api/health").status_code for _ in range(2)] == [200, 200]
    refused = client.get(f"/stage/{app.sid}/api/health")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_an_apps_outbound_fetches_past_its_limit_are_refused_before_any_connection(settings):
    from published_api.bridge import Caller, dispatch

    cache.clear()
    settings.STAGE_APP_LIMITS = {"outbound_fetches": "1/min"}
    caller = Caller(app_sid="app_fetcher", session_id="k1")
    # the first is charged and then refused by egress (loopback is private); the second never gets that far
    first = dispatch(caller, {"op": "fetch", "args": {"url": "http://127.0.0.1:9/"}})
    assert first["ok"] is False and first["error"]["code"] != "RATE_LIMITED"
    second = dispatch(caller, {"op": "fetch", "args": {"url": "http://127.0.0.1:9/"}})
    assert second == {"ok": False, "error": {"code": "RATE_LIMITED", "message": second["error"]["message"]}}
    assert "outbound fetches" in second["error"]["message"]
