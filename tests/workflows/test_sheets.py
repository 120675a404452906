"""Sheets blocks against a local server speaking Google's token endpoint and Sheets v4 wire format."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from stage.models import App
from tests.support.workflows import error_of, publish_workflows, run
from workflows.services.records import google_credential_set

pytestmark = pytest.mark.django_db

SCOPE = "https://www.googleapis.com/auth/spreadsheets"

SHEETS = {
    "report": {
        "steps": [
            {"id": "sheet", "sheets.createSpreadsheet": {"title": "Report for {{ input.who }}"}},
            {
                "id": "append",
                "sheets.appendValues": {
                    "spreadsheetId": "{{ steps.sheet.spreadsheetId }}",
                    "range": "Events!A:C",
                    "values": [["{{ input.who }}", "{{ input.n }}"], ["second", 2]],
                },
            },
            {
                "id": "read",
                "sheets.getValues": {"spreadsheetId": "{{ steps.sheet.spreadsheetId }}", "range": "Events!A:C"},
            },
        ]
    }
}


def sheets_app(api, *, scopes=(SCOPE,), credential=True) -> dict:
    app = publish_workflows(api, SHEETS)
    response = api.put(
        f"/api/v1/stage/sessions/{app['sessionId']}/google-scopes", {"scopes": list(scopes)}, format="json"
    )
    assert response.status_code == 200, response.json()
    if credential:  # through the owner's REST API, as the README's walk-through does it
        body = {"refreshToken": "1//good-refresh", "clientId": "cid", "clientSecret": "cs"}
        response = api.put(f"/api/v1/stage/apps/{app['sid']}/google-credentials", body, format="json")
        assert response.status_code == 200, response.json()
    return app


def test_create_append_and_read_through_the_sheets_api(api, google):
    # given
    app = sheets_app(api)
    # when
    response = run(api, app["sid"], "report", {"who": "Ada", "n": 3})
    # then
    assert response.status_code == 200, response.json()
    outputs = response.json()["data"]["outputs"]
    assert outputs["sheet"] == {"spreadsheetId": "sheet1", "url": "https://docs.google.com/spreadsheets/d/sheet1/edit"}
    assert outputs["append"] == {"updatedRange": "Events!A1:B2", "updatedRows": 2}
    assert outputs["read"] == {"values": [["Ada", 3], ["second", 2]]}
    assert google.sheets["sheet1"]["title"] == "Report for Ada"
    token_calls = [r for r in google.server.requests if r.path == "/token"]
    assert len(token_calls) == 1  # one token for the three steps: it is kept until it expires
    assert "refresh_token=1%2F%2Fgood-refresh" in token_calls[0].body.decode()
    append = next(r for r in google.server.requests if r.path.endswith(":append"))
    assert append.query["valueInputOption"] == ["USER_ENTERED"]
    assert append.headers["authorization"] == "Bearer ya29.local-token"


def test_without_the_spreadsheets_scope_the_step_is_403(api, google):
    app = sheets_app(api, scopes=["https://www.googleapis.com/auth/drive.readonly"])
    status, code, message = error_of(run(api, app["sid"], "report", {"who": "x", "n": 1}))
    assert (status, code) == (403, "MISSING_GOOGLE_SCOPE") and SCOPE in message
    assert google.server.requests == []


def test_without_credentials_the_step_names_the_problem(api, google):
    app = sheets_app(api, credential=False)
    response = run(api, app["sid"], "report", {"who": "x", "n": 1})
    status, code, _ = error_of(response)
    assert (status, code) == (400, "GOOGLE_NOT_CONFIGURED")
    assert response["X-Stage-Run-Id"] == response.json()["error"]["details"]["runId"]  # failures carry it too


def test_a_dry_run_checks_every_step_and_needs_no_credentials(api, google):
    app = sheets_app(api, credential=False)

    response = api.post(f"/api/v1/run/{app['sid']}/report?dryRun=1", {"input": {"who": "x", "n": 1}}, format="json")

    assert response.status_code < 300, response.content
    assert response["X-Stage-Run-Id"].startswith("run_")
    assert google.server.requests == []  # nothing sent, no token asked for


def test_a_refused_refresh_token_is_502_upstream(api, google):
    app = sheets_app(api)
    google.refresh_tokens.clear()
    status, code, message = error_of(run(api, app["sid"], "report", {"who": "x", "n": 1}))
    assert (status, code) == (502, "UPSTREAM_UNAVAILABLE") and "steps[0]" in message


def test_a_sheets_outage_is_502_and_names_the_step(api, google):
    app = sheets_app(api)
    google.fail_next = 5
    response = run(api, app["sid"], "report", {"who": "x", "n": 1})
    status, code, _ = error_of(response)
    assert (status, code) == (502, "UPSTREAM_UNAVAILABLE")
    assert response.json()["error"]["details"]["step"]["id"] == "sheet"


def test_an_unreachable_sheets_server_is_502(api, settings):
    app = sheets_app(api)
    settings.STAGE_GOOGLE_TOKEN_URL = "http://127.0.0.1:1/token"
    settings.STAGE_SHEETS_BASE_URL = "http://127.0.0.1:1"
    assert error_of(run(api, app["sid"], "report", {"who": "x", "n": 1}))[:2] == (502, "UPSTREAM_UNAVAILABLE")


def test_an_unknown_spreadsheet_is_400_bad_data(api, google):
    app = publish_workflows(
        api, {"w": {"steps": [{"sheets.getValues": {"spreadsheetId": "{{ input.id }}", "range": "A1:B2"}}]}}
    )
    api.put(f"/api/v1/stage/sessions/{app['sessionId']}/google-scopes", {"scopes": [SCOPE]}, format="json")
    google_credential_set(app=App.objects.get(sid=app["sid"]), refresh_token="1//good-refresh")
    status, code, message = error_of(run(api, app["sid"], "w", {"id": "../../other"}))
    assert (status, code) == (400, "VALIDATION_ERROR") and "404" in message
    get = next(r for r in google.server.requests if r.method == "GET")
    assert get.path == "/v4/spreadsheets/../../other/values/A1:B2"  # one encoded path segment, not a traversal


def test_a_service_account_signs_a_jwt_for_its_token(api, google):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    app = sheets_app(api, credential=False)
    google_credential_set(
        app=App.objects.get(sid=app["sid"]),
        service_account_info={
            "type": "service_account",
            "client_email": "bot@project.iam.gserviceaccount.com",
            "private_key": pem.decode(),
            "private_key_id": "k1",
            "token_uri": "https://oauth2.googleapis.com/token",
        },
    )
    response = run(api, app["sid"], "report", {"who": "SA", "n": 1})
    assert response.status_code == 200, response.json()
    token_call = next(r for r in google.server.requests if r.path == "/token")
    assert "jwt-bearer" in token_call.body.decode()


def test_google_credentials_are_set_read_and_removed_by_the_owner_and_never_shown(api, other_api):
    app = sheets_app(api, credential=False)
    url = f"/api/v1/stage/apps/{app['sid']}/google-credentials"
    assert api.get(url).json()["data"]["configured"] is False
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    account = {"type": "service_account", "client_email": "robot@proj.iam.gserviceaccount.com", "private_key": key,
               "token_uri": "http://127.0.0.1:1/token"}  # fmt: skip

    answer = api.put(url, {"serviceAccount": account}, format="json")

    shown = answer.json()["data"]
    assert answer.status_code == 200 and shown["configured"] is True and shown["kind"] == "service_account"
    assert shown["clientEmail"] == "robot@proj.iam.gserviceaccount.com"
    assert "PRIVATE KEY" not in answer.content.decode() and "PRIVATE KEY" not in api.get(url).content.decode()
    assert other_api.get(url).status_code == 404 and other_api.delete(url).status_code == 404
    both = api.put(url, {"serviceAccount": account, "refreshToken": "x"}, format="json")
    assert both.status_code == 400 and "not both" in both.json()["error"]["message"]
    partial = api.put(url, {"serviceAccount": {"client_email": "x"}}, format="json")
    assert partial.status_code == 400 and "private_key" in partial.json()["error"]["message"]
    assert api.delete(url).json()["data"]["configured"] is False
