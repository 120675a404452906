"""Helpers for the app tests: a session with files, published through the real API."""

from stage.models import Session

APP_FILES = {
    "/app/App.tsx": "export default function App() { return <h1>Hello</h1>; }",
    "/app/src/app.ts": 'import { Hono } from "hono";\nexport default new Hono();\n',
    "/app/compute/tasks.ts": 'import { query } from "@stage/compute";\nexport const list = query(() => []);\n',
}


def new_session(api, files: dict[str, str] | None = None) -> str:
    session_id = api.post("/api/v1/stage/sessions", {}, format="json").json()["data"]["id"]
    push(api, session_id, APP_FILES if files is None else files)
    return session_id


def push(api, session_id: str, files: dict[str, str]) -> None:
    if files:
        response = api.post(f"/api/v1/stage/sessions/{session_id}/push", {"files": files}, format="json")
        assert response.status_code == 200, response.json()


def publish(api, files: dict[str, str] | None = None, **extra) -> dict:
    session_id = new_session(api, files)
    body = {"sessionId": session_id, "name": "shiftcal-preview", **extra}
    response = api.post("/api/v1/stage/apps", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def deploy(api, sid: str, **body) -> dict:
    response = api.post(f"/api/v1/stage/apps/{sid}/deploy", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def session_of(app: dict) -> Session:
    return Session.objects.get(public_id=app["sessionId"])


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
