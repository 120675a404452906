"""Helpers for the workflow tests: apps published through the real API, runs through the real endpoint."""

import json

from tests.support.rest import api_publish

RUN = "/api/v1/run"


def publish_workflows(api, workflows: dict, *, config: dict | None = None, files: dict | None = None) -> dict:
    document = {"version": 1, "workflows": workflows}
    app = api_publish(api, files={"/app/shift.workflows.json": json.dumps(document), **(files or {})})
    if config is not None:
        response = api.patch(f"/api/v1/stage/apps/{app['sid']}", {"config": config}, format="json")
        assert response.status_code == 200, response.json()
    return app


def run(api, sid: str, workflow: str, input: dict | None = None, *, query: str = "", **headers):
    body = {} if input is None else {"input": input}
    return api.post(f"{RUN}/{sid}/{workflow}{query}", body, format="json", **headers)


def error_of(response) -> tuple[int, str, str]:
    body = response.json()
    assert body["success"] is False, body
    return response.status_code, body["error"]["code"], body["error"]["message"]


def channel_app(api, kind: str, config: dict) -> dict:
    channel = api.post(
        "/api/v1/communication/channels", {"name": kind, "kind": kind, "config": config}, format="json"
    ).json()["data"]
    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {
                        "communication.send": {
                            "channelId": channel["id"],
                            "subject": "Deploy",
                            "text": "{{ input.t }}",
                            "metadata": {"k": "{{ input.k }}"},
                        }
                    }
                ]
            }
        },
    )
    api.post("/api/v1/communication/registrations", {"appSid": app["sid"], "channelId": channel["id"]}, format="json")
    return app
