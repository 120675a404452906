"""The two workflow examples shipped under examples/, published through the API and run as written."""

from pathlib import Path

import pytest

from stage.models import App
from tests.support.rest import api_publish
from workflows.models import BillingItem, LedgerEvent, PulseEvent
from workflows.services.records import google_credential_set

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCOPE = "https://www.googleapis.com/auth/spreadsheets"


def publish_example(api, folder: str) -> dict:
    text = (EXAMPLES / folder / "shift.workflows.json").read_text()
    return api_publish(api, files={"/app/shift.workflows.json": text})


def test_append_webhook_row_runs_with_the_specs_input(api, user, google):
    # given
    app = publish_example(api, "append_webhook_row")
    api.put(f"/api/v1/stage/sessions/{app['sessionId']}/google-scopes", {"scopes": [SCOPE]}, format="json")
    google_credential_set(app=App.objects.get(sid=app["sid"]), refresh_token="1//good-refresh")
    google.sheets["sheet_123"] = {"title": "Events", "rows": []}
    body = {
        "input": {
            "spreadsheetId": "sheet_123",
            "range": "Events!A:G",
            "customerEmail": "demo@example.com",
            "amountCents": 1250,
        }
    }
    # when
    response = api.post(f"/api/v1/run/{app['sid']}/appendWebhookRow", body, format="json")
    # then
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    item = BillingItem.objects.get()
    assert data == {"updatedRange": "Events!A1:D1", "billingItemId": item.public_id, "amountCents": 1250}
    assert google.sheets["sheet_123"]["rows"] == [[app["sid"], "demo@example.com", 1250, user.email]]
    assert item.amount_cents == 1250 and item.customer_email == "demo@example.com"
    assert item.metadata == {"range": "Events!A1:D1"}
    assert PulseEvent.objects.get().properties == {"rows": 1}
    assert LedgerEvent.objects.get().data_refs == ["Events!A1:D1", item.public_id]


def test_notify_on_submit_runs_as_written(api, user, smtp_server, django_capture_on_commit_callbacks):
    channel = api.post(
        "/api/v1/communication/channels", {"name": "mail", "kind": "email", "config": {}}, format="json"
    ).json()["data"]
    app = publish_example(api, "notify_on_submit")
    api.patch(f"/api/v1/stage/apps/{app['sid']}", {"config": {"slackChannelId": channel["id"]}}, format="json")
    api.post("/api/v1/communication/registrations", {"appSid": app["sid"], "channelId": channel["id"]}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/run/{app['sid']}/notifyOnSubmit", {"input": {"name": "Ada"}}, format="json")
    assert response.status_code == 200, response.json()
    [sent] = smtp_server.messages
    assert sent["to"] == [user.email] and sent["message"]["Subject"] == "Form submitted"
    assert response.json()["data"]["status"] == "succeeded"
