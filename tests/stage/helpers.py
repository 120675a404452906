"""Small helpers for the session API tests."""

import io

from django.core.management import call_command


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


def new_session(api, **payload) -> str:
    return data(api.post("/api/v1/stage/sessions", payload, format="json"))["id"]


def push(api, session_id: str, files) -> dict:
    return api.post(f"/api/v1/stage/sessions/{session_id}/push", {"files": files}, format="json")
