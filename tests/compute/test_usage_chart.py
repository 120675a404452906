"""Usage over time in the admin: calls and tokens per day as server-drawn SVG, narrowed by app, provider and model."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from published_api.inference.models import Usage

pytestmark = pytest.mark.django_db

CHART = "/admin/inference/usage/chart/"


def used(*, days_ago: int, app: str = "app_a", provider: str = "p1", model: str = "m1", tokens: int = 10) -> None:
    row = Usage.objects.create(
        session_id="s", app_sid=app, provider=provider, model=model, kind="chat", input_tokens=tokens, output_tokens=1
    )
    Usage.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=days_ago))


def charts(staff, **query) -> list[dict[str, int]]:
    """Each chart on the page as {day: value} of its bars."""
    response = staff.get(CHART, query)
    assert response.status_code == 200
    svgs = re.findall(r"<svg[^>]*usage-chart.*?</svg>", response.content.decode(), re.S)
    return [
        {day: int(value) for day, value in re.findall(r'<rect class="bar" data-day="([\d-]+)" data-value="(\d+)"', svg)}
        for svg in svgs
    ]


@pytest.fixture(autouse=True)
def no_other_usage():
    """Calls that backends made in earlier tests are committed from bridge threads: out of sight here."""
    Usage.objects.all().delete()  # inside this test's transaction, rolled back after it


@pytest.fixture
def seeded():
    used(days_ago=0)
    used(days_ago=0, tokens=20)
    used(days_ago=2, app="app_b", model="m2")
    used(days_ago=5, provider="p2", tokens=100)
    used(days_ago=40)  # outside every period but the longest
    return {offset: (timezone.now() - timedelta(days=offset)).date().isoformat() for offset in (0, 2, 5, 40)}


def test_the_chart_draws_a_bar_per_day_with_calls_and_one_for_tokens(staff, seeded):
    calls, tokens = charts(staff, days=7)
    assert calls == {seeded[0]: 2, seeded[2]: 1, seeded[5]: 1}
    assert tokens == {seeded[0]: 32, seeded[2]: 11, seeded[5]: 101}
    page = staff.get(CHART, {"days": 7}).content.decode()
    assert "4 calls, 144 tokens" in page
    assert len(charts(staff, days=90)[0]) == 4  # the 40-day-old call shows once the period reaches it


def test_the_chart_filters_by_app_provider_and_model(staff, seeded):
    assert charts(staff, days=30, app="app_b")[0] == {seeded[2]: 1}
    assert charts(staff, days=30, provider="p2")[1] == {seeded[5]: 101}
    assert charts(staff, days=30, model="m1", provider="p1")[0] == {seeded[0]: 2}
    assert charts(staff, days=30, app="app_nobody")[0] == {}
    page = staff.get(CHART, {"days": 30}).content.decode()
    assert '<option value="app_b">app_b</option>' in page and '<option value="m2">m2</option>' in page


def test_the_chart_is_linked_from_the_usage_list_and_works_with_no_usage(staff):
    assert CHART in staff.get("/admin/inference/usage/").content.decode()
    calls, tokens = charts(staff)
    assert calls == {} and tokens == {}
    assert staff.get(CHART, {"days": "nonsense"}).status_code == 200
