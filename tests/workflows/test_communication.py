"""Channels, registrations, messages, and email delivered to a real local SMTP server."""

import pytest

from tests.support.workflows import error_of, publish_workflows, run
from workflows.errors import TemporaryDeliveryError
from workflows.models import CommunicationChannel, Delivery, Message
from workflows.services.delivery import delivery_perform

pytestmark = pytest.mark.django_db

COMM = "/api/v1/communication"

NOTIFY = {
    "notifyOnSubmit": {
        "steps": [
            {
                "communication.send": {
                    "channelId": "{{ config.slackChannelId }}",
                    "to": "{{ auth.email }}",
                    "subject": "Form submitted",
                    "text": "New submission from {{ input.name }}",
                    "html": "<p>New submission from <b>{{ input.name }}</b></p>",
                    "metadata": {"source": "{{ app.sid }}"},
                }
            }
        ]
    }
}


def email_channel(api, **config) -> dict:
    body = {"name": "Support mail", "kind": "email", "config": {"from": "stage@example.com", **config}}
    response = api.post(f"{COMM}/channels", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def register(api, sid: str, channel_id: str):
    return api.post(f"{COMM}/registrations", {"appSid": sid, "channelId": channel_id}, format="json")


@pytest.fixture
def notify_app(api):
    channel = email_channel(api)
    app = publish_workflows(api, NOTIFY, config={"slackChannelId": channel["id"]})
    assert register(api, app["sid"], channel["id"]).status_code == 201
    return app, channel


def test_the_specs_notify_on_submit_example_delivers_an_email(
    api, user, notify_app, smtp_server, django_capture_on_commit_callbacks
):
    # given
    app, channel = notify_app
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = run(api, app["sid"], "notifyOnSubmit", {"name": "Ada"})
    # then
    assert response.status_code == 200, response.json()
    output = response.json()["data"]["outputs"]["step0"]
    assert output["channelId"] == channel["id"] and output["messageId"].startswith("msg_")
    [sent] = smtp_server.messages
    assert sent["to"] == [user.email] and sent["from"] == "stage@example.com"
    assert sent["message"]["Subject"] == "Form submitted"
    assert "New submission from Ada" in sent["message"].get_body(("plain",)).get_content()
    assert "<b>Ada</b>" in sent["message"].get_body(("html",)).get_content()
    listed = api.get(f"{COMM}/messages", {"appSid": app["sid"]}).json()["data"]
    assert listed[0]["metadata"] == {"source": app["sid"]}
    [delivery] = listed[0]["deliveries"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert delivery["providerResponse"]["messageId"] == sent["message"]["Message-ID"]


def test_without_an_active_registration_the_step_is_400_not_registered(api, smtp_server):
    channel = email_channel(api)
    app = publish_workflows(api, NOTIFY, config={"slackChannelId": channel["id"]})
    status, code, message = error_of(run(api, app["sid"], "notifyOnSubmit", {"name": "x"}))
    assert (status, code) == (400, "COMMUNICATION_NOT_REGISTERED") and "steps[0]" in message
    assert Message.objects.count() == 0 and smtp_server.messages == []


def test_another_owners_channel_cannot_be_registered_or_used(api, other_api):
    theirs = email_channel(other_api)
    app = publish_workflows(api, NOTIFY, config={"slackChannelId": theirs["id"]})
    assert error_of(register(api, app["sid"], theirs["id"]))[:2] == (404, "NOT_FOUND")
    assert error_of(run(api, app["sid"], "notifyOnSubmit", {"name": "x"}))[:2] == (400, "COMMUNICATION_NOT_REGISTERED")
    mine = email_channel(api)
    assert error_of(register(other_api, app["sid"], mine["id"]))[:2] == (404, "NOT_FOUND")


def test_a_repeated_delivery_task_sends_once(api, notify_app, smtp_server, django_capture_on_commit_callbacks):
    app, _ = notify_app
    with django_capture_on_commit_callbacks(execute=True):
        run(api, app["sid"], "notifyOnSubmit", {"name": "Ada"})
    delivery = Delivery.objects.get()
    # when the task is delivered again (acks_late, a redelivery)
    assert delivery_perform(delivery_id=delivery.pk) is None
    assert delivery_perform(delivery_id=delivery.pk) is None
    # then
    assert len(smtp_server.messages) == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_a_concurrent_claim_within_the_lease_does_not_send_twice(api, notify_app, smtp_server):
    app, _ = notify_app
    run(api, app["sid"], "notifyOnSubmit", {"name": "Ada"})  # on_commit not run: the delivery stays queued
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", attempts=1, claimed_at=delivery.updated_at)
    assert delivery_perform(delivery_id=delivery.pk) is None
    assert smtp_server.messages == []


def test_an_smtp_refusal_is_retried_and_then_delivered(api, notify_app, smtp_server):
    app, _ = notify_app
    run(api, app["sid"], "notifyOnSubmit", {"name": "Ada"})
    delivery = Delivery.objects.get()
    smtp_server.collector.refuse = 1
    with pytest.raises(TemporaryDeliveryError):
        delivery_perform(delivery_id=delivery.pk, final_attempt=False)
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.attempts == 1 and "451" in delivery.last_error
    delivery_perform(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2 and delivery.last_error == ""
    assert len(smtp_server.messages) == 1


def test_the_last_failed_attempt_marks_the_delivery_failed(api, notify_app, settings):
    app, _ = notify_app
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    run(api, app["sid"], "notifyOnSubmit", {"name": "Ada"})
    delivery = Delivery.objects.get()
    with pytest.raises(TemporaryDeliveryError):
        delivery_perform(delivery_id=delivery.pk, final_attempt=True)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "SMTP" in delivery.last_error


def test_channel_secrets_are_write_only_and_config_is_validated(api, anon_api):
    created = api.post(
        f"{COMM}/channels",
        {"name": "hook", "kind": "webhook", "config": {"url": "https://hooks.example.com/x", "secret": "shh"}},
        format="json",
    ).json()["data"]
    assert created["config"] == {"url": "https://hooks.example.com/x"} and created["secrets"] == ["secret"]
    assert "shh" not in str(api.get(f"{COMM}/channels").json())
    assert CommunicationChannel.objects.get().secrets == {"secret": "shh"}
    bad = [
        {"name": "x", "kind": "fax", "config": {}},
        {"name": "x", "kind": "webhook", "config": {"url": "https://h.example.com"}},
        {"name": "x", "kind": "webhook", "config": {"url": "ftp://h.example.com", "secret": "s"}},
        {"name": "x", "kind": "slack", "config": {"webhookUrl": "https://hooks.slack.com/x", "extra": 1}},
        {"name": "x", "kind": "email", "config": {"from": "not an email"}},
        {"name": 0, "kind": "email", "config": {}},
        {"name": "x", "kind": "email", "config": {"from": 7}},
    ]
    for body in bad:
        assert error_of(api.post(f"{COMM}/channels", body, format="json"))[:2] == (400, "VALIDATION_ERROR"), body
    assert CommunicationChannel.objects.count() == 1
    assert error_of(anon_api.get(f"{COMM}/channels"))[:2] == (401, "UNAUTHORIZED")


def test_registering_twice_returns_the_same_active_registration(api, other_api, anon_api):
    channel = email_channel(api)
    app = publish_workflows(api, NOTIFY, config={})
    first, second = register(api, app["sid"], channel["id"]), register(api, app["sid"], channel["id"])
    assert first.json()["data"]["id"] == second.json()["data"]["id"] and first.json()["data"]["active"] is True
    assert len(api.get(f"{COMM}/registrations").json()["data"]) == 1
    assert other_api.get(f"{COMM}/registrations").json()["data"] == []
    assert error_of(other_api.get(f"{COMM}/messages", {"appSid": app["sid"]}))[:2] == (404, "NOT_FOUND")
    assert error_of(api.get(f"{COMM}/messages"))[:2] == (400, "VALIDATION_ERROR")
    assert error_of(anon_api.post(f"{COMM}/registrations", {}, format="json"))[:2] == (401, "UNAUTHORIZED")


def test_an_email_channel_needs_a_valid_recipient(api, notify_app):
    _app, channel = notify_app
    bad = publish_workflows(
        api,
        {"w": {"steps": [{"communication.send": {"channelId": channel["id"], "to": "{{ input.to }}", "text": "t"}}]}},
    )
    register(api, bad["sid"], channel["id"])
    status, code, message = error_of(run(api, bad["sid"], "w", {"to": "nobody"}))
    assert (status, code) == (400, "VALIDATION_ERROR") and "failed: to: not an email address" in message
    assert Message.objects.count() == 0
