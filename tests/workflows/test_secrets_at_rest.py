"""Channel secrets and Google credentials are encrypted at rest, survive a SECRET_KEY rotation done with
DJANGO_SECRET_KEY_FALLBACKS, and without the old key fail with a message that says what to do."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stage.models import App
from tests.support.workflows import channel_app, error_of, publish_workflows, run
from tests.workflows.test_sheets import sheets_app
from workflows.models import CommunicationChannel, Delivery, GoogleCredential
from workflows.services.records import google_credential_set

SECRET = "whsec-4f1c-the-signing-secret"
SLACK_URL = "https://hooks.slack.com/services/T000/B000/very-secret-path"
REFRESH = "1//refresh-token-that-must-not-leak"


def _raw(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")  # noqa: S608
        [(value,)] = cursor.fetchall()
    return value


@pytest.mark.django_db
def test_channel_secrets_and_google_credentials_are_stored_only_encrypted(api):
    app = channel_app(api, "webhook", {"url": "https://example.com/hook", "secret": SECRET})
    google_credential_set(
        app=App.objects.get(sid=app["sid"]), refresh_token=REFRESH, client_id="cid", client_secret="cs"
    )

    stored = _raw("workflows_communicationchannel", "secrets")
    assert SECRET not in stored and stored.startswith("gAAAAA")
    for column, plain in (("refresh_token", REFRESH), ("client_secret", "cs")):
        raw = _raw("workflows_googlecredential", column)
        assert plain not in raw and raw.startswith("gAAAAA"), column
    # and they read back as they were written
    assert CommunicationChannel.objects.get().secrets == {"secret": SECRET}
    assert GoogleCredential.objects.get().refresh_token == REFRESH
    assert api.get("/api/v1/communication/channels").json()["data"][0]["secrets"] == ["secret"]


@pytest.mark.django_db
def test_a_key_rotated_with_the_old_key_as_fallback_keeps_every_secret_readable(api, settings):
    channel_app(api, "slack", {"webhookUrl": SLACK_URL})
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-brand-new-secret-key-" + "n" * 40, [old]
    assert CommunicationChannel.objects.get().secrets == {"webhookUrl": SLACK_URL}


@pytest.mark.django_db
def test_without_the_old_key_a_delivery_fails_saying_the_secret_must_be_set_again(
    api, settings, receiver, django_capture_on_commit_callbacks
):
    app = channel_app(api, "webhook", {"url": f"{receiver.url}/hook", "secret": SECRET})
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "n" * 40  # and no fallback

    with django_capture_on_commit_callbacks(execute=True):
        assert run(api, app["sid"], "w", {"t": "x", "k": 1}).status_code == 200

    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error == "The channel's secret cannot be decrypted: set it again on the channel."
    assert receiver.requests == []  # nothing was sent unsigned


@pytest.mark.django_db
def test_without_the_old_key_a_sheets_step_says_the_credentials_must_be_attached_again(api, settings, google):
    app = sheets_app(api)
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "n" * 40
    status, code, message = error_of(run(api, app["sid"], "report", {"who": "x", "n": 1}))
    assert (status, code) == (400, "GOOGLE_NOT_CONFIGURED")
    assert "cannot be decrypted: attach them again in the admin" in message
    assert google.server.requests == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_plain_secrets_from_before_and_reverses_cleanly(api, user):
    app = publish_workflows(api, {"w": {"steps": [{"response": {"status": 200, "body": {}}}]}})
    app_id = App.objects.get(sid=app["sid"]).pk
    executor = MigrationExecutor(connection)
    before, after = (
        [("workflows", "0002_alter_ledgerevent_created_at")],
        [("workflows", "0004_encrypt_existing_secrets")],
    )
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:  # rows as the old schema wrote them: plain JSON and text
            cursor.execute(
                "INSERT INTO workflows_communicationchannel"
                " (public_id, owner_id, name, kind, config, secrets, created_at)"
                " VALUES ('chn_legacy', %s, 'legacy', 'webhook', '{}', %s, CURRENT_TIMESTAMP)",
                [user.pk, json.dumps({"secret": SECRET})],
            )
            cursor.execute(
                "INSERT INTO workflows_googlecredential (app_id, kind, client_id, client_secret, refresh_token,"
                " service_account_info, updated_at)"
                " VALUES (%s, 'refresh_token', 'cid', 'cs', %s, NULL, CURRENT_TIMESTAMP)",
                [app_id, REFRESH],
            )
        MigrationExecutor(connection).migrate(after)

        assert SECRET not in _raw("workflows_communicationchannel", "secrets")
        assert REFRESH not in _raw("workflows_googlecredential", "refresh_token")
        assert CommunicationChannel.objects.get().secrets == {"secret": SECRET}
        assert GoogleCredential.objects.get().refresh_token == REFRESH

        MigrationExecutor(connection).migrate(before)  # and back: plain values in the old columns
        assert SECRET in str(_raw("workflows_communicationchannel", "secrets"))
        assert _raw("workflows_googlecredential", "refresh_token") == REFRESH
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
