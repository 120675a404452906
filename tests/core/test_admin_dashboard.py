"""The admin index opens on the last day's renders, runs and deliveries, each count linking to its list."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from stage.models import Render
from tests.support.factories import RunFactory, SessionFactory
from workflows.models import CommunicationChannel, Delivery, Message

pytestmark = pytest.mark.django_db


def figures(page: str) -> dict[str, tuple[int, int, str, str]]:
    """{label: (all, failed, all's link, failed's link)} from the dashboard's table."""
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td><a href="([^"]+)">(\d+)</a></td>\s*<td><a href="([^"]+)"[^>]*>(\d+)</a>',
        page,
    )
    return {label: (int(total), int(failed), html.unescape(a), html.unescape(b)) for label, a, total, b, failed in rows}


def test_the_index_counts_the_last_day_and_links_to_the_same_rows(staff):
    session = SessionFactory()
    for version, status in enumerate(("ready", "failed", "failed"), start=1):
        Render.objects.create(session=session, version=version, entry="/app/App.tsx", status=status)
    old = Render.objects.create(session=session, version=4, entry="/app/App.tsx", status="failed")
    Render.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    RunFactory(status="succeeded")
    RunFactory(status="failed")
    run = RunFactory()
    channel = CommunicationChannel.objects.create(owner=run.caller, name="ops", kind="email")
    message = Message.objects.create(app=run.app, channel=channel, to="a@example.com", text="hi")
    Delivery.objects.create(message=message, status="failed")

    page = staff.get("/admin/").content.decode()
    shown = figures(page)

    assert shown["Renders"][:2] == (3, 2)  # the one from two days ago is not counted
    assert shown["Workflow runs"][:2] == (3, 1)
    assert shown["Deliveries"][:2] == (1, 1)
    assert re.search(r'class="stage-errors">4<', page)
    failed_renders = staff.get(shown["Renders"][3])
    assert failed_renders.status_code == 200 and "2 renders" in failed_renders.content.decode()
    for label, (_, _, every, failed) in shown.items():
        assert staff.get(every).status_code == 200 and staff.get(failed).status_code == 200, label
