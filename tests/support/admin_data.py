"""A platform with something in every corner of the admin: what a staff tour opens.

Rows come the way they do in life (the REST API: sessions, renders, snapshots, apps and versions, workflow runs
with their pulse, ledger, billing and message records, Google credentials, inference usage) and, for the few
that only a sandboxed backend or an operator would make, from the ORM or the factories.
"""

from django.contrib.auth.models import Group
from django.test import Client

from core.models import UnsentTask
from published_api.compute.models import ComputeDocument
from published_api.inference.models import Provider
from tests.support.factories import StepRunFactory
from tests.support.openai_server import OpenAIServer, use_as_default_provider
from tests.support.renders import trigger
from tests.support.rest import SESSIONS, data
from tests.support.workflows import publish_workflows, run

MAIL = {"name": "mail", "kind": "email", "config": {}}
BUSY = {
    "busy": {
        "steps": [
            {"pulse.track": {"event": "tour"}},
            {"ledger.audit": {"operation": "read", "resource": "sheet/1"}},
            {"billing.createItem": {"customerEmail": "a@b.co", "amountCents": 100}},
            {"communication.send": {"channelId": "{{ input.channel }}", "to": "a@b.co", "text": "hello"}},
        ]
    }
}


def workflow_records(api) -> dict:
    """An app whose one run leaves a run with steps, a pulse event, a ledger event, a billing item and a message
    delivered over an email channel registered to it; it also gets Google credentials."""
    channel = data(api.post("/api/v1/communication/channels", MAIL, format="json"))
    app = publish_workflows(api, BUSY)
    registration = {"appSid": app["sid"], "channelId": channel["id"]}
    assert api.post("/api/v1/communication/registrations", registration, format="json").status_code == 201
    assert run(api, app["sid"], "busy", {"channel": channel["id"]}).status_code == 200
    credentials = {"refreshToken": "1//tour-refresh", "clientId": "cid", "clientSecret": "cs"}
    assert api.put(f"/api/v1/stage/apps/{app['sid']}/google-credentials", credentials, format="json").status_code == 200
    return app


def session_records(api, capture) -> None:
    """A session with a render and a snapshot."""
    session_id = data(api.post(SESSIONS, {}, format="json"))["id"]
    files = {"/app/App.tsx": "export default () => <h1>Tour</h1>;"}
    data(api.post(f"{SESSIONS}/{session_id}/push", {"files": files}, format="json"))
    trigger(api, session_id, capture)
    assert api.post(f"{SESSIONS}/{session_id}/snapshots", {"name": "tour"}, format="json").status_code == 201


def inference_records(api, settings) -> None:
    """An inference call through the default provider (a local OpenAI-wire server), and a provider row."""
    with OpenAIServer() as server:
        use_as_default_provider(settings, server)
        session_id = data(api.post(SESSIONS, {}, format="json"))["id"]
        chat = {"messages": [{"role": "user", "content": "hi"}]}
        response = api.post("/api/v1/inference/chat", chat, format="json", HTTP_X_STAGE_SESSION=session_id)
        assert response.status_code == 200, response.json()
    Provider.objects.create(name="local", base_url="http://127.0.0.1:9/v1", default_model="m")


def operator_records(app_sid: str) -> None:
    """What only a backend, an operator or a failed sign-in makes."""
    ComputeDocument.objects.create(app_sid=app_sid, table="tasks", public_id="doc1", doc={"t": 1}, creation_time=1)
    UnsentTask.objects.create(task="stage.tasks.render_build", args=[1])
    Group.objects.create(name="operators")
    StepRunFactory()  # a run on a factory-made app, as the run lists show them
    Client(REMOTE_ADDR="10.9.8.7").post("/admin/login/", {"username": "intruder", "password": "guess"})


def seed(api, capture, settings) -> dict:
    """Rows for every part of the admin; returns the workflow app."""
    session_records(api, capture)
    app = workflow_records(api)
    inference_records(api, settings)
    operator_records(app["sid"])
    return app
