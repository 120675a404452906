"""Slack incoming webhooks and signed webhooks, delivered to real local HTTP receivers."""

import hashlib
import hmac
import json

import pytest

from tests.support.workflows import channel_app, run
from workflows.errors import TemporaryDeliveryError
from workflows.models import Delivery
from workflows.services.delivery import delivery_perform

pytestmark = pytest.mark.django_db


def test_a_slack_message_is_posted_to_the_incoming_webhook(api, receiver, django_capture_on_commit_callbacks):
    app = channel_app(api, "slack", {"webhookUrl": f"{receiver.url}/services/T000/B000/XXXX"})
    with django_capture_on_commit_callbacks(execute=True):
        assert run(api, app["sid"], "w", {"t": "shipped", "k": 1}).status_code == 200
    [request] = receiver.requests
    assert request.path == "/services/T000/B000/XXXX"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"text": "*Deploy*\nshipped"}
    assert Delivery.objects.get().status == "delivered"


def test_a_webhook_body_is_signed_with_hmac_sha256(api, receiver, django_capture_on_commit_callbacks):
    app = channel_app(api, "webhook", {"url": f"{receiver.url}/hook", "secret": "topsecret"})
    with django_capture_on_commit_callbacks(execute=True):
        run(api, app["sid"], "w", {"t": "hello", "k": "v"})
    [request] = receiver.requests
    expected = "sha256=" + hmac.new(b"topsecret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-stage-signature"] == expected
    body = json.loads(request.body)
    assert body["text"] == "hello" and body["metadata"] == {"k": "v"} and body["app"] == app["sid"]


def test_a_5xx_is_retried_and_a_4xx_fails_for_good(api, receiver):
    app = channel_app(api, "webhook", {"url": f"{receiver.url}/hook", "secret": "s"})
    run(api, app["sid"], "w", {"t": "a", "k": 1})
    delivery = Delivery.objects.get()
    receiver.answers.extend([(503, {"busy": True}), (410, {"gone": True})])
    with pytest.raises(TemporaryDeliveryError):
        delivery_perform(delivery_id=delivery.pk, final_attempt=False)
    delivery.refresh_from_db()
    assert delivery.status == "queued" and "503" in delivery.last_error
    delivery_perform(delivery_id=delivery.pk, final_attempt=False)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "410" in delivery.last_error and delivery.attempts == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://10.0.0.1/x",
    ],
    ids=["loopback", "metadata", "mapped-loopback", "private"],
)
def test_the_egress_policy_refuses_internal_destinations_for_good(api, receiver, url):
    # given a receiver on loopback that *is* allowed, and a channel pointing somewhere that is not
    app = channel_app(api, "webhook", {"url": url, "secret": "s"})
    run(api, app["sid"], "w", {"t": "a", "k": 1})
    # when
    delivery_perform(delivery_id=Delivery.objects.get().pk, final_attempt=False)
    # then
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "egress refused" in delivery.last_error
    assert receiver.requests == []
