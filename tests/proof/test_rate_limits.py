"""Per-key rate limits on the shared cache, per-app quotas, and body caps: 429/413 in the envelope."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from core.errors import StageError
from core.limits import RateLimited, app_quota, hit, parse_rate
from tests.support.rest import data, error, new_session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [("600/min", (600, 60)), ("10/s", (10, 1)), ("5/hour", (5, 3600)), ("7/day", (7, 86400))],
    ids=["min", "s", "hour", "day"],
)
def test_rates_parse(text, expected):
    rate = parse_rate(text)
    assert (rate.limit, rate.period) == expected


@pytest.mark.parametrize("text", ["", "off", "0", "0/min"], ids=["empty", "off", "zero", "zero-per-min"])
def test_an_empty_or_zero_rate_means_unlimited(text):
    assert parse_rate(text) is None


@pytest.mark.parametrize("text", ["lots", "5/fortnight", "-1/min"], ids=["word", "unit", "negative"])
def test_a_malformed_rate_is_refused_at_parse(text):
    with pytest.raises(ValueError):
        parse_rate(text)


@override_settings(STAGE_RATE_LIMIT_PER_KEY="3/min")
def test_a_key_over_its_rate_gets_429_rate_limited_with_retry_after(api, other_api):
    cache.clear()
    for _ in range(3):
        assert api.get("/api/v1/stage/sessions").status_code == 200
    response = api.get("/api/v1/stage/sessions")
    err = error(response, 429, "RATE_LIMITED")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert err["details"] == {"retryAfter": retry_after}
    # another key has its own budget
    assert other_api.get("/api/v1/stage/sessions").status_code == 200


@override_settings(STAGE_RATE_LIMIT_PER_KEY="2/min")
def test_a_refused_write_writes_nothing(api):
    cache.clear()
    session_id = new_session(api)
    assert api.get(f"/api/v1/stage/sessions/{session_id}/status").status_code == 200
    error(api.post("/api/v1/stage/sessions", {}, format="json"), 429, "RATE_LIMITED")
    assert [s["id"] for s in data(_unthrottled_list(api))["results"]] == [session_id]


def _unthrottled_list(api):
    with override_settings(STAGE_RATE_LIMIT_PER_KEY="off"):
        return api.get("/api/v1/stage/sessions")


@override_settings(STAGE_RATE_LIMIT_PER_KEY="2/min")
def test_the_convex_endpoint_counts_against_the_same_key(api):
    cache.clear()
    call = {"path": "stage:listApps", "args": {}}
    assert api.post("/api/query", call, format="json").status_code == 200
    assert api.get("/api/v1/stage/sessions").status_code == 200
    response = api.post("/api/query", call, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) >= 1


@override_settings(STAGE_RATE_LIMIT_PER_KEY="1/min")
def test_no_key_is_401_not_counted(anon_api, api):
    cache.clear()
    for _ in range(3):
        error(anon_api.get("/api/v1/stage/sessions"), 401, "UNAUTHORIZED")
    assert api.get("/api/v1/stage/sessions").status_code == 200


def test_a_window_resets_after_its_period():
    cache.clear()
    rate = parse_rate("2/s")
    assert [hit("t-reset", rate, now=100.0) for _ in range(3)] == [0, 0, 1]
    assert hit("t-reset", rate, now=101.0) == 0


@override_settings(STAGE_APP_LIMITS={"workflow_runs": "2/hour", "inference_tokens": "100/hour"})
def test_an_app_quota_raises_rate_limited_when_spent():
    cache.clear()
    app_quota("app_q", "workflow_runs")
    app_quota("app_q", "workflow_runs")
    with pytest.raises(RateLimited) as raised:
        app_quota("app_q", "workflow_runs")
    assert isinstance(raised.value, StageError)
    assert raised.value.code == "RATE_LIMITED"
    assert 1 <= raised.value.retry_after <= 3600
    # costs are charged in amounts (tokens), and quotas are per app
    app_quota("app_q", "inference_tokens", cost=100)
    with pytest.raises(RateLimited):
        app_quota("app_q", "inference_tokens", cost=1)
    app_quota("app_other", "workflow_runs")


@override_settings(STAGE_APP_LIMITS={})
def test_an_unset_app_quota_is_unlimited():
    for _ in range(5):
        app_quota("app_free", "backend_requests")


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}},
    STAGE_RATE_LIMIT_PER_KEY="1/min",
)
def test_a_cache_outage_fails_open(api):
    for _ in range(3):
        assert api.get("/api/v1/stage/sessions").status_code == 200


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize(
    "url", ["/api/mutation", "/api/v1/stage/sessions", "/api/v1/communication/channels"], ids=["convex", "rest", "wf"]
)
def test_a_body_over_the_cap_is_413_on_every_json_endpoint(api, url):
    response = api.post(url, {"path": "stage:createSession", "args": {"name": "x" * 2000}}, format="json")
    assert response.status_code == 413
    body = response.json()
    assert (body.get("error") or body)["code"] == "PAYLOAD_TOO_LARGE"
