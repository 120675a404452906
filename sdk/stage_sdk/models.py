"""Typed results: dataclasses with the spec's field names in snake_case, built from the camelCase JSON.

Every model keeps fields the SDK does not know yet in ``extra`` (camelCase keys, as sent), so a newer server
never breaks an older SDK, and ``to_json()`` gives the server's shape back.
"""

import base64
import re
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, ClassVar, Self

_CAMEL = re.compile(r"_([a-z])")


def camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


@dataclass
class Model:
    # field name -> model class for nested objects (a list of them when the JSON value is a list)
    nested: ClassVar[dict[str, type["Model"]]] = {}
    extra: dict[str, Any] = field(default_factory=dict, repr=False, kw_only=True)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        if not isinstance(data, dict):
            data = {}
        known = _json_keys(cls)
        values = {}
        for name, key in known.items():
            if key not in data:
                continue
            value = data[key]
            nested = cls.nested.get(name)
            if nested is not None and isinstance(value, list):
                value = [nested.from_json(item) for item in value]
            elif nested is not None and isinstance(value, dict):
                value = nested.from_json(value)
            values[name] = value
        extra = {key: value for key, value in data.items() if key not in known.inverse}
        return cls(**values, extra=extra)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "extra":
                continue
            out[camel(f.name)] = _plain(getattr(self, f.name))
        out.update(self.extra)
        return out


class _Keys(dict):
    inverse: frozenset[str]


@cache
def _json_keys(cls: type[Model]) -> _Keys:
    """{field name: JSON key} of a model, computed once per class."""
    keys = _Keys((f.name, camel(f.name)) for f in fields(cls) if f.name != "extra")
    keys.inverse = frozenset(keys.values())
    return keys


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_json()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


# --- Sessions ------------------------------------------------------------------------------------------


@dataclass
class CreateSessionResult(Model):
    id: str = ""


@dataclass
class Session(Model):
    id: str = ""
    name: str | None = None
    created_at: int | None = None
    last_accessed_at: int | None = None


@dataclass
class PushResult(Model):
    count: int = 0
    changed: int = 0  # files that got a new version
    unchanged: int = 0  # files pushed again as they were: no new version


@dataclass
class RenderResult(Model):
    entry: str = ""
    version: int = 0


@dataclass
class SessionTimes(Model):
    created_at: int | None = None
    last_accessed_at: int | None = None


@dataclass
class RenderState(Model):
    """A render's state. ``status``: queued, building, ready or failed; a ready render whose app threw in a browser
    keeps that runtime error in ``error``. ``error_locations``: [{file, line, column, message, lineText}]."""

    FINISHED: ClassVar[frozenset[str]] = frozenset({"ready", "failed"})

    entry: str = ""
    version: int = 0
    status: str = ""
    error: str | None = None
    rendered_at: int | None = None
    build_ms: int | None = None
    error_locations: list | None = None

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def state(self) -> str:
        """What a person would call it: queued, building, ready, failed, or runtime error."""
        return "runtime error" if self.status == "ready" and self.error else self.status


@dataclass
class SessionCounts(Model):
    files: int = 0
    snapshots: int = 0
    renders: int = 0
    messages: int = 0
    kv_keys: int = 0


@dataclass
class SessionDetail(Model):
    nested = {"render": RenderState, "counts": SessionCounts}
    id: str = ""
    name: str = ""
    created_at: int = 0
    last_accessed_at: int = 0
    render: RenderState | None = None
    counts: SessionCounts | None = None
    live_revision: int = 0


@dataclass
class Deleted(Model):
    id: str = ""
    deleted: bool = False


@dataclass
class FileInfo(Model):
    path: str = ""
    version: int = 0
    size: int = 0
    encoding: str = "utf-8"


@dataclass
class SessionStatus(Model):
    nested = {"session": SessionTimes, "render": RenderState, "files": FileInfo}
    session: SessionTimes | None = None
    render: RenderState | None = None
    files: list[FileInfo] = field(default_factory=list)


@dataclass
class FileContent(Model):
    """A file's content: its text, or for a binary file (``encoding == "base64"``) its bytes in base64."""

    path: str = ""
    content: str = ""
    version: int = 0
    size: int = 0
    created_at: int | None = None
    encoding: str = "utf-8"

    @property
    def data(self) -> bytes:
        """The file's bytes, whichever way it is kept."""
        return base64.b64decode(self.content) if self.encoding == "base64" else self.content.encode()


@dataclass
class FileWritten(Model):
    path: str = ""
    version: int = 0
    size: int = 0


@dataclass
class FileVersionInfo(Model):
    path: str = ""
    version: int = 0
    size: int = 0
    created_at: int | None = None


@dataclass
class GoogleScopes(Model):
    scopes: list[str] = field(default_factory=list)


@dataclass
class Snapshot(Model):
    id: str = ""
    name: str | None = None
    created_at: int | None = None
    file_count: int = 0


@dataclass
class RestoreResult(Model):
    restored: int = 0


# --- Apps ----------------------------------------------------------------------------------------------


@dataclass
class ChannelPointer(Model):
    """Where a channel points; ``url`` is the channel's origin, ``version_url`` that version's own origin."""

    app_version_sid: str | None = None
    version: int | None = None
    updated_at: int | None = None
    url: str | None = None
    version_url: str | None = None


@dataclass
class Channels(Model):
    nested = {"preview": ChannelPointer, "production": ChannelPointer}
    preview: ChannelPointer | None = None
    production: ChannelPointer | None = None


@dataclass
class Person(Model):
    email: str | None = None
    username: str | None = None


@dataclass
class App(Model):
    nested = {"channels": Channels, "author": Person}
    sid: str = ""
    name: str = ""
    description: str = ""
    session_id: str | None = None
    author: Person | None = None
    status: str = ""
    repository: dict | None = None
    config: dict | None = None
    created_at: int | None = None
    updated_at: int | None = None
    last_deployed_at: int | None = None
    channels: Channels | None = None
    url: str | None = None
    preview_url: str | None = None
    ui_entry: str | None = None


@dataclass
class VersionUi(Model):
    """How a version's UI build went: status none (no entry file), queued, building, ready or failed."""

    entry: str | None = None
    status: str = ""
    error: str | None = None
    error_locations: list | None = None
    built_at: int | None = None


@dataclass
class VersionBackend(Model):
    """How the deploy's compile of a version's backend went: status none (no backend), unchecked (deployed before
    deploys compiled ahead), ready or failed, with ``error`` {file, line, column, message} when it failed."""

    status: str = ""
    error: dict | None = None


@dataclass
class AppVersion(Model):
    """An immutable deploy: ``version`` is its number (1, 2, ...), ``files`` its manifest {path, version, size},
    ``url`` the version's own origin (its UI at /, its backend at /api), which always serves this version."""

    nested = {"created_by": Person, "files": FileInfo, "ui": VersionUi, "backend": VersionBackend}
    sid: str = ""
    version: int = 0
    created_at: int | None = None
    created_by: Person | None = None
    backend_entrypoint: str | None = None
    compute_modules: list | None = None
    workflows: dict | None = None
    files: list[FileInfo] = field(default_factory=list)
    url: str | None = None
    ui: VersionUi | None = None
    backend: VersionBackend | None = None


@dataclass
class ChannelMove(Model):
    nested = {"moved_by": Person}
    channel: str = ""
    from_app_version_sid: str | None = None
    from_version: int | None = None
    to_app_version_sid: str = ""
    to_version: int = 0
    moved_by: Person | None = None
    reason: str = ""
    created_at: int | None = None


@dataclass
class PreviewLink(Model):
    """A signed link to an app's preview: open ``url``, or send ``token`` as ``?stage_preview=`` to its API."""

    url: str = ""
    token: str = ""
    expires_at: int | None = None


@dataclass
class DeployResult(Model):
    """A deploy's answer: the app as it now is (channels included) and the new version."""

    nested = {"app": App, "version": AppVersion}
    app: App | None = None
    version: AppVersion | None = None


# --- Workflows -----------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """A workflow run's answer: the ``response`` step's payload, or ``{runId, status, outputs}``.

    ``status_code`` is the HTTP status (a ``response`` step may choose it), ``data`` the decoded body.
    """

    status_code: int
    data: Any
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def run_id(self) -> str | None:
        """The run's id: from the body when it is {runId, ...}, else from the X-Stage-Run-Id header."""
        if isinstance(self.data, dict) and isinstance(self.data.get("runId"), str):
            return self.data["runId"]
        return {key.lower(): value for key, value in self.headers.items()}.get("x-stage-run-id")

    def to_json(self) -> Any:
        return self.data


@dataclass
class Me(Model):
    username: str = ""
    email: str = ""
    staff: bool = False
    key_name: str = ""
    key_prefix: str = ""


@dataclass
class RunStep(Model):
    index: int = 0
    id: str | None = None
    block: str = ""
    status: str = ""
    config: Any = None
    output: Any = None
    error: Any = None
    started_at: int | None = None
    duration_ms: float | None = None


@dataclass
class Run(Model):
    """A workflow run: its summary (from a list) or the whole of it with its steps (from get)."""

    nested = {"steps": RunStep}
    run_id: str = ""
    app_sid: str = ""
    version_id: str = ""
    workflow: str = ""
    status: str = ""
    dry_run: bool = False
    caller: str = ""
    error: Any = None
    created_at: int | None = None
    started_at: int | None = None
    finished_at: int | None = None
    duration_ms: float | None = None
    input: Any = None
    response: Any = None
    steps: list[RunStep] = field(default_factory=list)


@dataclass
class GoogleCredentials(Model):
    """Whether an app has Google credentials, and of which kind (never a secret)."""

    app_sid: str = ""
    configured: bool = False
    kind: str | None = None
    client_email: str | None = None
    client_id: str | None = None
    updated_at: int | None = None
