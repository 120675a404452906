"""The admin over workflows: run history read-only, retry delivery, the ledger verification view."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.workflows.support import publish_workflows, run
from workflows.models import Delivery, LedgerEvent, Message, Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    return client


def test_runs_are_listed_filtered_and_shown_read_only_with_steps(staff, api):
    app = publish_workflows(api, {"w": {"steps": [{"id": "p", "pulse.track": {"event": "seen"}}]}})
    run(api, app["sid"], "w", {})
    run_record = Run.objects.get()
    listing = staff.get("/admin/workflows/run/", {"status__exact": "succeeded"})
    assert listing.status_code == 200 and run_record.public_id in listing.content.decode()
    page = staff.get(f"/admin/workflows/run/{run_record.pk}/change/")
    assert page.status_code == 200 and "pulse.track" in page.content.decode()
    assert staff.post(f"/admin/workflows/run/{run_record.pk}/change/", {}).status_code == 403
    assert staff.get("/admin/workflows/run/add/").status_code == 403


def test_retry_delivery_action_requeues_a_failed_delivery(staff, api, smtp_server, django_capture_on_commit_callbacks):
    channel = api.post(
        "/api/v1/communication/channels", {"name": "m", "kind": "email", "config": {}}, format="json"
    ).json()["data"]
    app = publish_workflows(
        api, {"w": {"steps": [{"communication.send": {"channelId": channel["id"], "to": "a@b.co", "text": "hi"}}]}}
    )
    api.post("/api/v1/communication/registrations", {"appSid": app["sid"], "channelId": channel["id"]}, format="json")
    run(api, app["sid"], "w", {})
    Delivery.objects.update(status="failed", last_error="SMTP: boom")
    message = Message.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/workflows/message/", {"action": "retry_delivery", "_selected_action": [message.pk]}
        )
    assert response.status_code == 302
    assert Delivery.objects.get().status == "delivered" and len(smtp_server.messages) == 1


def test_ledger_verification_view_shows_tampering(staff, api):
    app = publish_workflows(api, {"w": {"steps": [{"ledger.audit": {"operation": "read"}}]}})
    run(api, app["sid"], "w", {})
    run(api, app["sid"], "w", {})
    assert "intact" in staff.get("/admin/workflows/ledgerevent/verify/").content.decode()
    LedgerEvent.objects.filter(seq=1).update(actor="someone-else")
    page = staff.get("/admin/workflows/ledgerevent/verify/").content.decode()
    assert "TAMPERED" in page and "edited" in page
    assert staff.get("/admin/workflows/ledgerevent/").status_code == 200
