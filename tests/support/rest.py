"""Driving the platform through its REST API as a client would: the envelope, sessions, pushes, and apps."""

import io

from django.core.management import call_command

from stage.models import Session

SESSIONS = "/api/v1/stage/sessions"
APPS = "/api/v1/stage/apps"

# A session with a UI, a backend and a compute module.
APP_FILES = {
    "/app/App.tsx": "export default function App() { return <h1>Hello</h1>; }",
    "/app/src/app.ts": 'import { Hono } from "hono";\nexport default new Hono();\n',
    "/app/compute/tasks.ts": 'import { query } from "@stage/compute";\nexport const list = query(() => []);\n',
}

# The spec's repository linkage example (stage-api-reference.md, PATCH /apps/:sid).
REPOSITORY = {
    "provider": "github",
    "owner": "tom",
    "name": "drive-hasher",
    "fullName": "tom/drive-hasher",
    "url": "https://github.com/tom/drive-hasher",
    "visibility": "private",
    "defaultBranch": "main",
    "remoteName": "origin",
    "linkedAt": 1709640060000,
}


def run_command(*args) -> str:
    """What a management command printed on standard output."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def data(response):
    body = response.json()
    assert body["success"] is True, body
    return body["data"]


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code, body
    return body["error"]


def push(api, session_id: str, files):
    """The push's response, whatever it is (files: {path: content} or the SDK's [{path, content}])."""
    return api.post(f"{SESSIONS}/{session_id}/push", {"files": files}, format="json")


def new_session(api, files=None, **payload) -> str:
    """A new session's id, with these files pushed (and the push checked) when given."""
    session_id = data(api.post(SESSIONS, payload, format="json"))["id"]
    if files:
        data(push(api, session_id, files))
    return session_id


def api_publish(api, files: dict[str, str] | None = None, **extra) -> dict:
    """An app published from a new session holding `files` (default APP_FILES), as the API answers it."""
    session_id = new_session(api, APP_FILES if files is None else files)
    body = {"sessionId": session_id, "name": "shiftcal-preview", **extra}
    response = api.post(APPS, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def api_deploy(api, sid: str, **body) -> dict:
    response = api.post(f"{APPS}/{sid}/deploy", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def session_of(app: dict) -> Session:
    return Session.objects.get(public_id=app["sessionId"])
