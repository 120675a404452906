"""A channel's admin page: its registrations inline, "send a test message" through the real delivery service to a
local server speaking the real wire format, and config and secrets edited as checked JSON that says what it holds."""

import pytest

from tests.support.workflows import channel_app
from workflows.models import CommunicationChannel, Delivery, Message

pytestmark = pytest.mark.django_db

CHANNELS = "/admin/workflows/communicationchannel/"


def page_of(channel: CommunicationChannel) -> str:
    return f"{CHANNELS}{channel.pk}/change/"


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_a_channel_page_lists_its_registrations(staff, api):
    app = channel_app(api, "email", {})
    channel = CommunicationChannel.objects.get()
    page = staff.get(page_of(channel)).content.decode()
    assert "Registrations" in page and app["sid"] in page and ">active</span>" in page
    assert "/admin/workflows/registration/" in page  # each one opens to be deactivated
    assert "Send a test message" in page and f"/admin/workflows/registration/add/?channel={channel.pk}" in page


def test_a_test_message_reaches_slack_and_is_kept_as_a_test(staff, api, receiver):
    app = channel_app(api, "slack", {"webhookUrl": f"{receiver.url}/services/T1/B1/x"})
    channel = CommunicationChannel.objects.get()
    form = staff.get(f"{CHANNELS}{channel.pk}/test-message/")
    assert form.status_code == 200 and app["sid"] in form.content.decode()
    sent = staff.post(
        f"{CHANNELS}{channel.pk}/test-message/",
        {"app": form.context["form"].fields["app"].queryset.get().pk, "to": "", "subject": "Hello", "text": "It works"},
        follow=True,
    )
    assert sent.redirect_chain[-1][0] == page_of(channel)
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/services/T1/B1/x")
    assert request.json() == {"text": "*Hello*\nIt works"}
    assert request.headers["x-stage-delivery"].startswith("msg_")
    message = Message.objects.get()
    assert "Delivered the test message" in messages_of(sent) and "slack answered 200" in messages_of(sent)
    assert message.metadata == {"test": True, "sentBy": "root"} and message.delivery.status == Delivery.Status.DELIVERED


def test_a_test_message_reports_the_providers_error(staff, api, receiver):
    channel_app(api, "webhook", {"url": f"{receiver.url}/hook", "secret": "s3cret"})
    receiver.answers.append((403, {"error": "invalid_token"}))
    channel = CommunicationChannel.objects.get()
    app = channel.registrations.get().app
    sent = staff.post(f"{CHANNELS}{channel.pk}/test-message/", {"app": app.pk, "text": "ping"}, follow=True)
    said = messages_of(sent)
    assert "failed: webhook answered 403" in said and "invalid_token" in said
    assert receiver.requests[0].headers["x-stage-signature"].startswith("sha256=")
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_a_test_email_arrives_and_needs_a_recipient(staff, api, smtp_server):
    channel_app(api, "email", {"from": "Bot <bot@example.com>"})
    channel = CommunicationChannel.objects.get()
    app = channel.registrations.get().app
    url = f"{CHANNELS}{channel.pk}/test-message/"
    assert staff.get(url).context["form"].initial["to"] == "root@example.com"
    refused = staff.post(url, {"app": app.pk, "to": "not an address", "text": "hi"})
    assert "Not an email address: &#x27;not an address&#x27;" in refused.content.decode()
    assert not Message.objects.exists()
    sent = staff.post(url, {"app": app.pk, "to": "ops@example.com", "subject": "Check", "text": "hi"}, follow=True)
    [email] = smtp_server.messages
    assert email["to"] == ["ops@example.com"] and email["message"]["Subject"] == "Check"
    assert email["message"]["X-Stage-App"] == app.sid
    assert "sent to ops@example.com" in messages_of(sent)


def test_a_channel_with_no_registration_says_to_register_an_app(staff, user):
    channel = CommunicationChannel.objects.create(owner=user, name="lonely", kind="email")
    page = staff.get(f"{CHANNELS}{channel.pk}/test-message/").content.decode()
    assert "No app is registered for this channel" in page and "Send it now" not in page


def test_config_and_secrets_say_what_they_hold_and_invalid_json_saves_nothing(staff, user):
    add = staff.get(f"{CHANNELS}add/").content.decode()
    assert "Slack: &quot;webhookUrl&quot; (required: the Slack incoming-webhook URL" in add
    assert "Webhook: &quot;url&quot; (required" in add and "&quot;secret&quot; (required" in add
    form = {"owner": user.pk, "name": "hook", "kind": "webhook", "config": '{\n  "url": "https://h.example.com/x"\n',
            "secrets": '{"secret": "s"}'}  # fmt: skip
    page = staff.post(f"{CHANNELS}add/", form).content.decode()
    assert "Not valid JSON: Expecting &#x27;,&#x27; delimiter at line 3, column 1." in page
    listed = staff.post(f"{CHANNELS}add/", {**form, "config": '["https://h.example.com/x"]'}).content.decode()
    assert "Expected a JSON object ({...}), got an array." in listed
    assert not CommunicationChannel.objects.exists()

    assert staff.post(f"{CHANNELS}add/", {**form, "config": '{"url": "https://h.example.com/x"}'}).status_code == 302
    channel = CommunicationChannel.objects.get()
    page = staff.get(page_of(channel)).content.decode()
    assert "{\n  &quot;url&quot;: &quot;https://h.example.com/x&quot;\n}</textarea>" in page  # pretty-printed
    assert "Slack:" not in page.split('id="id_secrets_helptext"')[-1][:600]  # only this channel's kind is described
