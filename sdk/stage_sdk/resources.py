"""client.stage.*, written once for both clients.

Each method describes its request as a ``Call`` and hands it to the transport: the sync transport returns the
result, the async one returns an awaitable of it. So ``Client`` and ``AsyncClient`` have the same surface by
construction (``await`` in front is the only difference).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from stage_sdk import models as m
from stage_sdk.errors import RenderTimeout, StageError
from stage_sdk.transport import Call, Poll, envelope, error_from, file_path, segment

API = "/api/v1/stage"


def _list_of(model: type[m.Model]):
    return lambda data: [model.from_json(item) for item in data or []]


def push_payload(files: Mapping[str, str] | Iterable[Mapping[str, str]]) -> dict[str, Any]:
    """Both spec forms: [{"path", "content", "encoding"?}, ...] or {path: content}; sent as the server's list form.
    A binary file (an image, a font) is {"path", "content": <base64>, "encoding": "base64"}."""
    if isinstance(files, Mapping):
        return {"files": [{"path": path, "content": content} for path, content in files.items()]}
    items = []
    for index, item in enumerate(files):
        if not isinstance(item, Mapping) or "path" not in item or "content" not in item:
            raise StageError("VALIDATION_ERROR", f"files[{index}] must be a mapping with 'path' and 'content'")
        items.append({key: item[key] for key in ("path", "content", "encoding") if key in item})
    return {"files": items}


class Snapshots:
    def __init__(self, transport):
        self._t = transport

    def create(self, session_id: str, name: str | None = None) -> m.Snapshot:
        body = {"name": name} if name is not None else {}
        return self._t.call(
            Call("POST", f"{API}/sessions/{segment(session_id)}/snapshots", body, parse=m.Snapshot.from_json)
        )

    def list(self, session_id: str) -> list[m.Snapshot]:
        return self._t.call(Call("GET", f"{API}/sessions/{segment(session_id)}/snapshots", parse=_list_of(m.Snapshot)))

    def restore(self, session_id: str, snapshot_id: str) -> m.RestoreResult:
        path = f"{API}/sessions/{segment(session_id)}/snapshots/{segment(snapshot_id)}/restore"
        return self._t.call(Call("POST", path, {}, parse=m.RestoreResult.from_json))


class Sessions:
    def __init__(self, transport):
        self._t = transport
        self.snapshots = Snapshots(transport)

    def _path(self, session_id: str, tail: str = "") -> str:
        return f"{API}/sessions/{segment(session_id)}{tail}"

    def create(self, name: str | None = None) -> m.CreateSessionResult:
        body = {"name": name} if name is not None else {}
        return self._t.call(Call("POST", f"{API}/sessions", body, parse=m.CreateSessionResult.from_json))

    def list(self, limit: int | None = None) -> list[m.Session]:
        parse = lambda data: [m.Session.from_json(item) for item in (data or {}).get("results", [])]  # noqa: E731
        return self._t.call(Call("GET", f"{API}/sessions", params={"limit": limit}, parse=parse))

    def set_google_scopes(self, session_id: str, scopes: Iterable[str]) -> m.GoogleScopes:
        body = {"scopes": list(scopes)}
        return self._t.call(Call("PUT", self._path(session_id, "/google-scopes"), body, parse=m.GoogleScopes.from_json))

    def get_google_scopes(self, session_id: str) -> m.GoogleScopes:
        return self._t.call(Call("GET", self._path(session_id, "/google-scopes"), parse=m.GoogleScopes.from_json))

    def push_files(self, session_id: str, files: Mapping[str, str] | Iterable[Mapping[str, str]]) -> m.PushResult:
        """Write many files in one request; the server writes all of them or none."""
        return self._t.call(
            Call("POST", self._path(session_id, "/push"), push_payload(files), parse=m.PushResult.from_json)
        )

    def write_file(self, session_id: str, path: str, content: str) -> m.FileWritten:
        body = {"content": content}
        return self._t.call(
            Call("PUT", self._path(session_id, f"/files/{file_path(path)}"), body, parse=m.FileWritten.from_json)
        )

    def render(self, session_id: str, entry: str | None = None) -> m.RenderResult:
        body = {"entry": entry} if entry is not None else {}
        return self._t.call(Call("POST", self._path(session_id, "/render"), body, parse=m.RenderResult.from_json))

    def render_state(self, session_id: str) -> m.RenderState | None:
        """The latest render's state, or None before the first render."""
        parse = lambda data: None if data is None else m.RenderState.from_json(data)  # noqa: E731
        return self._t.call(Call("GET", self._path(session_id, "/render"), parse=parse))

    def wait_for_render(
        self, session_id: str, version: int | None = None, *, timeout: float = 60.0, interval: float = 0.2
    ) -> m.RenderState:
        """Wait until the build of render ``version`` (default: the latest) has finished, ready or failed, and return
        its state (a newer render supersedes it: then the newer one's). Raises RenderTimeout after ``timeout``
        seconds (a render stays ``queued`` while no worker runs)."""

        def done(state: m.RenderState | None) -> bool:
            return state is not None and state.finished and (version is None or state.version >= version)

        def expired(state: m.RenderState | None):
            where = "no render yet" if state is None else f"render v{state.version} is still {state.status}"
            raise RenderTimeout(f"{where} after {timeout:g} s (is a Celery worker running?)", state)

        call = Call("GET", self._path(session_id, "/render"), parse=lambda d: d and m.RenderState.from_json(d))
        return self._t.poll(Poll(call, done=done, timeout=timeout, expired=expired, interval=interval))

    def get(self, session_id: str) -> m.SessionDetail:
        """The session with its latest render's state and counts."""
        return self._t.call(Call("GET", self._path(session_id), parse=m.SessionDetail.from_json))

    def delete(self, session_id: str) -> m.Deleted:
        """Delete the session and everything it holds (CONFLICT while an app is published from it)."""
        return self._t.call(Call("DELETE", self._path(session_id), parse=m.Deleted.from_json))

    def status(self, session_id: str) -> m.SessionStatus:
        return self._t.call(Call("GET", self._path(session_id, "/status"), parse=m.SessionStatus.from_json))

    def files(self, session_id: str, content: bool = False) -> list[m.FileInfo]:
        params = {"content": "1"} if content else None
        return self._t.call(Call("GET", self._path(session_id, "/files"), params=params, parse=_list_of(m.FileInfo)))

    def read_file(self, session_id: str, path: str, version: int | None = None) -> m.FileContent:
        return self._t.call(
            Call(
                "GET",
                self._path(session_id, f"/files/{file_path(path)}"),
                params={"version": version},
                parse=m.FileContent.from_json,
            )
        )

    def history(self, session_id: str, path: str) -> list[m.FileVersionInfo]:
        return self._t.call(
            Call("GET", self._path(session_id, "/history"), params={"path": path}, parse=_list_of(m.FileVersionInfo))
        )


class Runs:
    def __init__(self, transport):
        self._t = transport

    def list(self, app_sid: str, workflow: str | None = None, status: str | None = None, limit: int | None = None):
        """The app's runs, newest first (one page of at most ``limit``)."""
        parse = lambda data: [m.Run.from_json(item) for item in (data or {}).get("results", [])]  # noqa: E731
        params = {"workflow": workflow, "status": status, "limit": limit}
        return self._t.call(Call("GET", f"{API}/apps/{segment(app_sid)}/runs", params=params, parse=parse))

    def get(self, run_id: str) -> m.Run:
        """One run with its steps: rendered configuration, output, error, duration."""
        return self._t.call(Call("GET", f"{API}/runs/{segment(run_id)}", parse=m.Run.from_json))


class Apps:
    def __init__(self, transport):
        self._t = transport

    def _path(self, sid: str, tail: str = "") -> str:
        return f"{API}/apps/{segment(sid)}{tail}"

    def publish(self, session_id: str, name: str, description: str | None = None) -> m.App:
        body = {"sessionId": session_id, "name": name}
        if description is not None:
            body["description"] = description
        return self._t.call(Call("POST", f"{API}/apps", body, parse=m.App.from_json))

    def list(self, author: str | None = None, session_id: str | None = None, status: str | None = None) -> list[m.App]:
        params = {"author": author, "sessionId": session_id, "status": status}
        return self._t.call(Call("GET", f"{API}/apps", params=params, parse=_apps_list))

    def get(self, sid: str) -> m.App:
        return self._t.call(Call("GET", self._path(sid), parse=m.App.from_json))

    def update(self, sid: str, /, **fields: Any) -> m.App:
        """PATCH the app: name, description, status, config, repository, ui_entry (keys are camelCased)."""
        body = {m.camel(key): value for key, value in fields.items()}
        return self._t.call(Call("PATCH", self._path(sid), body, parse=m.App.from_json))

    def deploy(self, sid: str, promote: bool = False) -> m.DeployResult:
        body = {"promote": True} if promote else {}
        return self._t.call(Call("POST", self._path(sid, "/deploy"), body, parse=m.DeployResult.from_json))

    def versions(self, sid: str) -> list[m.AppVersion]:
        return self._t.call(Call("GET", self._path(sid, "/versions"), parse=_results(m.AppVersion)))

    def channels(self, sid: str) -> m.Channels:
        return self._t.call(Call("GET", self._path(sid, "/channels"), parse=m.Channels.from_json))

    def promote(self, sid: str, app_version_sid: str | None = None) -> m.Channels:
        body = {"appVersionSid": app_version_sid} if app_version_sid else {}
        path = self._path(sid, "/channels/production/promote")
        return self._t.call(Call("POST", path, body, parse=m.Channels.from_json))

    def rollback(self, sid: str) -> m.Channels:
        path = self._path(sid, "/channels/production/rollback")
        return self._t.call(Call("POST", path, {}, parse=m.Channels.from_json))

    def history(self, sid: str) -> list[m.ChannelMove]:
        return self._t.call(Call("GET", self._path(sid, "/channels/history"), parse=_results(m.ChannelMove)))

    def google_credentials(self, sid: str) -> m.GoogleCredentials:
        """Whether the app's Sheets steps have a Google account to act as."""
        return self._t.call(Call("GET", self._path(sid, "/google-credentials"), parse=m.GoogleCredentials.from_json))

    def set_google_credentials(
        self,
        sid: str,
        *,
        service_account: dict | None = None,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> m.GoogleCredentials:
        """Attach a service account's JSON key, or an OAuth refresh token with its client (secrets write-only)."""
        body = {"serviceAccount": service_account, "refreshToken": refresh_token, "clientId": client_id}
        body["clientSecret"] = client_secret
        body = {key: value for key, value in body.items() if value is not None}
        path = self._path(sid, "/google-credentials")
        return self._t.call(Call("PUT", path, body, parse=m.GoogleCredentials.from_json))

    def remove_google_credentials(self, sid: str) -> m.GoogleCredentials:
        path = self._path(sid, "/google-credentials")
        return self._t.call(Call("DELETE", path, parse=m.GoogleCredentials.from_json))

    def preview_link(self, sid: str, version: int | None = None, expires_in: int | None = None) -> m.PreviewLink:
        """A signed, expiring link to the app's preview channel (or to one version's origin)."""
        body = {key: value for key, value in (("version", version), ("expiresIn", expires_in)) if value is not None}
        return self._t.call(Call("POST", self._path(sid, "/preview-link"), body, parse=m.PreviewLink.from_json))


def _results(model: type[m.Model]):
    """A list answer, bare or paginated ({results: [...]})."""

    def parse(data):
        items = data.get("results", []) if isinstance(data, dict) else data
        return [model.from_json(item) for item in items or []]

    return parse


_apps_list = _results(m.App)


def _run_answer(response) -> m.RunResult:
    """A run answers with the workflow's own payload; only Stage's error envelope is an error."""
    body = envelope(response)
    if body is not None:
        if not body["success"] or response.status_code >= 400:
            raise error_from(response, body)
        return m.RunResult(response.status_code, body.get("data"), dict(response.headers))
    try:
        data = response.json()
    except ValueError:
        if response.status_code >= 500:
            raise error_from(response, None) from None
        data = response.text
    return m.RunResult(response.status_code, data, dict(response.headers))


class Stage:
    """``client.stage``: sessions, apps and workflow runs."""

    def __init__(self, transport):
        self._t = transport
        self.sessions = Sessions(transport)
        self.apps = Apps(transport)
        self.runs = Runs(transport)

    def me(self) -> m.Me:
        """Who the API key belongs to."""
        return self._t.call(Call("GET", f"{API}/me", parse=m.Me.from_json))

    def run(
        self,
        app_sid: str,
        workflow: str,
        input: Any = None,
        idempotency_key: str | None = None,
        *,
        dry_run: bool = False,
    ) -> m.RunResult:
        """Run a published workflow (``dry_run``: validate and render every step, no side effects).

        Without an idempotency key one is generated per call, so the SDK's own retries (429/503) can never run
        the workflow twice."""
        headers = {"Idempotency-Key": idempotency_key or f"sdk-{uuid.uuid4()}"}
        path = f"/api/v1/run/{segment(app_sid)}/{segment(workflow)}"
        params = {"dryRun": "1"} if dry_run else None
        body = {"input": {} if input is None else input}
        return self._t.call(Call("POST", path, body, params=params, headers=headers, raw=_run_answer))
