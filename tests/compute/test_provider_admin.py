"""The providers admin: the last 24 hours' figures from usage rows (one query however many providers), a connection
test against the local OpenAI-compatible server, and allowed models edited one per line."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from published_api.inference.models import Provider, Usage
from published_api.inference.secrets import encrypt
from tests.support.openai_server import VALID_KEY

pytestmark = pytest.mark.django_db

LIST = "/admin/inference/provider/"


def used(provider: str, *, latency: int, status: str = "ok", hours_ago: float = 1, model: str = "m") -> Usage:
    row = Usage.objects.create(
        session_id="s",
        provider=provider,
        model=model,
        kind="chat",
        latency_ms=latency,
        status=status,
        input_tokens=3,
        output_tokens=2,
    )
    Usage.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    return row


def provider(name: str, base_url: str = "https://api.example.com/v1", **fields) -> Provider:
    return Provider.objects.create(name=name, base_url=base_url, default_model="gpt-4o-mini", **fields)


def seed_busy_and_quiet() -> tuple[Provider, Provider]:
    busy, quiet = provider("busy"), provider("quiet")
    for latency in (100, 200, 300):
        used("busy", latency=latency)
    used("busy", latency=400, status="PROVIDER_ERROR")
    used("busy", latency=90_000, status="PROVIDER_ERROR", hours_ago=25)  # yesterday's: not counted
    used("elsewhere", latency=5)
    return busy, quiet


def test_the_list_and_page_show_the_last_24_hours_and_leave_older_calls_out(staff):
    busy, quiet = seed_busy_and_quiet()
    rows = {row.name: row for row in staff.get(LIST).context["cl"].result_list}
    assert (rows["busy"].calls_24h, rows["busy"].errors_24h, rows["busy"].latency_mean_24h) == (4, 1, 250)
    assert (rows["quiet"].calls_24h, rows["quiet"].errors_24h, rows["quiet"].latency_mean_24h) == (0, 0, None)
    assert "250 ms mean" in staff.get(LIST).content.decode()
    page = staff.get(f"{LIST}{busy.pk}/change/").content.decode()
    assert "4 calls, 1 errors; latency 250 ms mean" in page
    assert "0 calls, 0 errors; latency —" in staff.get(f"{LIST}{quiet.pk}/change/").content.decode()


@pytest.mark.postgres
def test_the_95th_percentile_latency_comes_from_postgresql(staff):
    busy, _ = seed_busy_and_quiet()
    rows = {row.name: row for row in staff.get(LIST).context["cl"].result_list}
    assert rows["busy"].latency_p95_24h == pytest.approx(385)  # percentile_cont(0.95) over 100, 200, 300, 400
    assert rows["quiet"].latency_p95_24h is None
    assert "250 ms mean, p95 385 ms" in staff.get(f"{LIST}{busy.pk}/change/").content.decode()


def test_the_figures_cost_the_same_queries_for_one_provider_or_many(staff):
    provider("first")
    used("first", latency=10)
    with CaptureQueriesContext(connection) as one:
        assert staff.get(LIST).status_code == 200
    for index in range(5):
        provider(f"more-{index}")
        used(f"more-{index}", latency=10 + index)
    with CaptureQueriesContext(connection) as six:
        assert staff.get(LIST).status_code == 200
    assert len(six) == len(one)


def test_test_connection_makes_one_real_call_and_reports_the_answer(staff, openai_server):
    good = provider("checked", openai_server.base_url, api_key_encrypted=encrypt(VALID_KEY))
    response = staff.post(f"{LIST}{good.pk}/test-connection/", follow=True)
    text = response.content.decode()
    assert "Connection test of checked: model gpt-4o-mini answered in" in text and "“Summary: with the single" in text
    [request] = openai_server.requests
    assert request["path"] == "/v1/chat/completions" and request["body"]["model"] == "gpt-4o-mini"
    assert request["body"]["max_tokens"] == 5
    usage = Usage.objects.get(provider="checked")  # recorded like any other call
    assert (usage.session_id, usage.status) == ("admin:connection-test", "ok")
    assert staff.get(f"{LIST}{good.pk}/test-connection/").status_code == 405  # a call is never made by a GET


def test_test_connection_reports_the_providers_error(staff, openai_server):
    refused = provider("wrong-key", openai_server.base_url, api_key_encrypted=encrypt("sk-wrong"))
    broken = provider("broken", openai_server.base_url, api_key_encrypted=encrypt(VALID_KEY))
    Provider.objects.filter(pk=broken.pk).update(default_model="broken")
    off = provider("off", openai_server.base_url, enabled=False)
    text = staff.post(f"{LIST}{refused.pk}/test-connection/", follow=True).content.decode()
    assert "Connection test of wrong-key failed (PROVIDER_AUTH_FAILED): Provider wrong-key refused the API key" in text
    assert "Incorrect API key provided." in text
    bulk = staff.post(LIST, {"action": "test_connection", "_selected_action": [broken.pk, off.pk]}, follow=True)
    text = bulk.content.decode()
    assert "Connection test of broken failed (PROVIDER_ERROR): Provider broken answered 500" in text
    assert "Provider off is disabled (apps cannot call it)" in text
    assert Usage.objects.filter(provider="wrong-key", status="PROVIDER_AUTH_FAILED").count() == 1


def test_allowed_models_are_one_per_line_and_checked(staff):
    add = "/admin/inference/provider/add/"
    form = {
        "name": "p",
        "base_url": "https://api.example.com/v1",
        "api_key_env": "",
        "api_key": "",
        "default_model": "gpt-4o",
        "enabled": "on",
    }
    spaced = staff.post(add, {**form, "allowed_models": "gpt-4o\ngpt 4o mini"}).content.decode()
    assert "Line 2 (gpt 4o mini): contains a space" in spaced
    broken = staff.post(add, {**form, "allowed_models": '["gpt-4o",'}).content.decode()
    assert "Not valid JSON: Expecting value at line 1, column 11." in broken
    missing = staff.post(add, {**form, "allowed_models": "o3"}).content.decode()
    assert "The default model gpt-4o is not in the list" in missing
    assert not Provider.objects.exists()

    assert staff.post(add, {**form, "allowed_models": "gpt-4o\n\n  gpt-4o-mini \ngpt-4o\n"}).status_code == 302
    saved = Provider.objects.get()
    assert saved.allowed_models == ["gpt-4o", "gpt-4o-mini"]
    page = staff.get(f"{LIST}{saved.pk}/change/").content.decode()
    assert "gpt-4o\ngpt-4o-mini</textarea>" in page
