"""The admin over workflows: run history read-only, retry delivery, the ledger verification view."""

import pytest

from tests.support.factories import RunFactory, StepRunFactory
from tests.support.workflows import publish_workflows, run
from workflows.models import Delivery, LedgerEvent, Message, Run

pytestmark = pytest.mark.django_db


def test_runs_are_listed_filtered_and_shown_read_only_with_steps(staff):
    run_record = StepRunFactory(step_id="p", block="pulse.track").run
    failed = RunFactory(status=Run.Status.FAILED)
    listing = staff.get("/admin/workflows/run/", {"status__exact": "succeeded"})
    assert listing.status_code == 200 and run_record.public_id in listing.content.decode()
    assert failed.public_id not in listing.content.decode()
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


def test_channel_and_google_secrets_are_write_only_in_the_admin(staff, api, user):
    from stage.models import App
    from workflows.models import CommunicationChannel, GoogleCredential
    from workflows.services.records import google_credential_set

    channel = api.post(
        "/api/v1/communication/channels",
        {"name": "hook", "kind": "webhook", "config": {"url": "https://h.example.com/x", "secret": "hunter2"}},
        format="json",
    ).json()["data"]
    row = CommunicationChannel.objects.get(public_id=channel["id"])
    page = staff.get(f"/admin/workflows/communicationchannel/{row.pk}/change/").content.decode()
    assert "hunter2" not in page
    # saving the form with the secret left empty keeps it
    form = {"owner": user.pk, "name": "renamed", "kind": "webhook", "config": '{"url": "https://h.example.com/x"}'}
    assert (
        staff.post(f"/admin/workflows/communicationchannel/{row.pk}/change/", {**form, "secrets": ""}).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.name == "renamed" and row.secrets == {"secret": "hunter2"}

    app = publish_workflows(api, {"w": {"steps": [{"response": {"body": 1}}]}})
    credential = google_credential_set(
        app=App.objects.get(sid=app["sid"]), refresh_token="1//very-secret", client_id="c"
    )
    page = staff.get(f"/admin/workflows/googlecredential/{credential.pk}/change/").content.decode()
    assert "1//very-secret" not in page
    assert GoogleCredential.objects.get().refresh_token == "1//very-secret"


def test_the_admin_checks_a_new_channel_with_the_api_rules_and_saves_nothing_bad(staff, user):
    from workflows.models import CommunicationChannel

    add = "/admin/workflows/communicationchannel/add/"
    bad = {
        "owner": user.pk,
        "name": "hook",
        "kind": "webhook",
        "config": '{"url": "ftp://x"}',
        "secrets": '{"secret": "s"}',
    }
    page = staff.post(add, bad)
    assert page.status_code == 200 and "config.url: expected an http(s) URL" in page.content.decode()
    unknown = {**bad, "config": '{"url": "https://h.example.com/x", "colour": "red"}'}
    assert "config.colour: unknown for a webhook channel" in staff.post(add, unknown).content.decode()
    assert "config.secret: required" in staff.post(add, {**bad, "secrets": ""}).content.decode()
    assert not CommunicationChannel.objects.exists()

    good = {**bad, "config": '{"url": "https://h.example.com/x"}', "secrets": '{"secret": "hunter2"}'}
    assert staff.post(add, good).status_code == 302
    channel = CommunicationChannel.objects.get()
    assert (channel.config, channel.secrets) == ({"url": "https://h.example.com/x"}, {"secret": "hunter2"})
    # a secret key sent as config is still stored as a secret, never shown
    slack = {"owner": user.pk, "name": "s", "kind": "slack", "config": '{"webhookUrl": "https://hooks.slack.com/x"}'}
    assert staff.post(add, {**slack, "secrets": ""}).status_code == 302
    stored = CommunicationChannel.objects.get(name="s")
    assert (stored.config, stored.secrets) == ({}, {"webhookUrl": "https://hooks.slack.com/x"})


def test_the_admin_sets_google_credentials_through_the_service(staff, api):
    from stage.models import App
    from workflows.models import GoogleCredential

    app = App.objects.get(sid=publish_workflows(api, {"w": {"steps": [{"response": {"body": 1}}]}})["sid"])
    add = "/admin/workflows/googlecredential/add/"
    key = '{"client_email": "bot@p.iam.gserviceaccount.com", "private_key": "-----BEGIN"}'
    both = {"app": app.pk, "client_id": "c", "refresh_token": "1//t", "service_account_info": key}
    assert "not both" in staff.post(add, both).content.decode()
    lacking = {"app": app.pk, "client_id": "", "service_account_info": '{"client_email": "x"}'}
    assert "The service account key lacks private_key" in staff.post(add, lacking).content.decode()
    assert not GoogleCredential.objects.exists()

    assert staff.post(add, {"app": app.pk, "client_id": "c", "refresh_token": "1//t"}).status_code == 302
    credential = GoogleCredential.objects.get()
    assert (credential.kind, credential.refresh_token) == ("refresh_token", "1//t")
    # switching to a service account replaces the refresh token; the kind follows
    change = f"/admin/workflows/googlecredential/{credential.pk}/change/"
    assert staff.post(change, {"app": app.pk, "client_id": "", "service_account_info": key}).status_code == 302
    credential.refresh_from_db()
    assert (credential.kind, credential.refresh_token) == ("service_account", "")
    assert credential.service_account_info["client_email"] == "bot@p.iam.gserviceaccount.com"
