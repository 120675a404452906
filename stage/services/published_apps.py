"""Writes of published apps: publish, update, deploy, and the channel pointer moves.

Every pointer move happens under the app row's lock inside one transaction and leaves one ChannelMove row,
so racing deploys, promotes and rollbacks serialise: the pointer always names the last writer's version and
the history holds every move in order.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from core.outbox import send_task_on_commit
from stage.generations import generation_bump_on_commit
from stage.models import App, AppVersion, AppVersionFile, Channel, ChannelMove, CurrentFile, FileVersion, Session
from stage.paths import InvalidPath, normalize_path
from stage.renders.tasks import version_ui_build
from stage.selectors.published_apps import version_get
from stage.services.deploy_builds import run_deploy_builds
from stage.services.deploy_documents import parse_deploy_documents

ENTRYPOINTS = ("/app/src/app.ts", "/app/app.tsx", "/app/src/index.ts", "/app/index.ts")
COMPUTE_DIR = "/app/compute/"
COMPUTE_MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME = 200
MAX_DESCRIPTION = 5_000
MAX_CONFIG_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
UPDATABLE = ("name", "description", "status", "config", "repository", "ui_entry")


@dataclass(frozen=True)
class DeployFindings:
    backend_entrypoint: str
    compute_modules: list[str]
    documents: dict[str, Any] = field(default_factory=dict)  # AppVersion field -> parsed registered file


def deploy_findings(files: dict[str, int], read) -> DeployFindings:
    """What a deploy finds in a file tree (path -> anything); `read(path)` loads one file's content.

    Raises ValidationFailed listing every bad compute module name, or from the parser of a registered file
    (stage/services/deploy_documents.py) that does not hold.
    """
    entrypoint = next((path for path in ENTRYPOINTS if path in files), "")
    modules, offenders = [], []
    for path in sorted(files):
        if path.startswith(COMPUTE_DIR) and path.endswith(".ts") and "/" not in path[len(COMPUTE_DIR) :]:
            name = path[len(COMPUTE_DIR) : -len(".ts")]
            (modules if COMPUTE_MODULE_NAME.match(name) else offenders).append(name)
    if offenders:
        raise ValidationFailed(
            f"Invalid compute module names (must match {COMPUTE_MODULE_NAME.pattern}): {', '.join(offenders)}",
            details={"computeModules": {f"{COMPUTE_DIR}{name}.ts": ["Invalid module name."] for name in offenders}},
        )
    documents = parse_deploy_documents(files, read)
    return DeployFindings(backend_entrypoint=entrypoint, compute_modules=modules, documents=documents)


def _lock_app(app: App) -> App:
    return App.objects.select_for_update().get(pk=app.pk)


def _refuse_archived(app: App, action: str) -> None:
    if app.status == App.Status.ARCHIVED:
        raise Conflict(f"App {app.sid} is archived: unarchive it (status active) before you {action}.")


def _version_create(*, app: App, session: Session, actor) -> AppVersion:
    """Snapshot the session's current files by reference, after checking what the deploy finds in them."""
    current = dict(CurrentFile.objects.filter(session=session).values_list("path", "file_version_id"))

    def read(path: str) -> str:
        return FileVersion.objects.values_list("content", flat=True).get(pk=current[path])

    findings = deploy_findings(current, read)
    number = (AppVersion.objects.filter(app=app).aggregate(n=Max("number"))["n"] or 0) + 1
    has_ui = app.ui_entry in current
    version = AppVersion.objects.create(
        app=app,
        number=number,
        backend_entrypoint=findings.backend_entrypoint,
        compute_modules=findings.compute_modules,
        **findings.documents,
        ui_entry=app.ui_entry if has_ui else "",
        ui_status=AppVersion.UiStatus.QUEUED if has_ui else AppVersion.UiStatus.NONE,
        created_by=actor,
    )
    AppVersionFile.objects.bulk_create(
        AppVersionFile(version=version, path=path, file_version_id=pk) for path, pk in current.items()
    )
    if has_ui:
        send_task_on_commit(version_ui_build, version.pk)
    return version


def _move(*, app: App, channel: str, to_version: AppVersion, actor, reason: str, note: str = "") -> Channel:
    """Point a channel at a version and record the move. The caller holds the app row's lock."""
    found = Channel.objects.select_for_update().filter(app=app, name=channel).first()
    from_version = found.version if found else None
    if found is None:
        found = Channel.objects.create(app=app, name=channel, version=to_version)
    else:
        found.version = to_version
        found.save(update_fields=["version", "updated_at"])
    ChannelMove.objects.create(
        app=app,
        channel=channel,
        from_version=from_version,
        to_version=to_version,
        moved_by=actor,
        reason=reason,
        note=note,
    )
    return found


def _check_text(value: object, field: str) -> None:
    """Refuse what PostgreSQL cannot store (NUL, lone surrogates) anywhere in a JSON value, keys included,
    and JSON nested deeper than MAX_JSON_DEPTH. Iterative, so hostile nesting cannot exhaust the stack."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValidationFailed(
                f"{field} is nested deeper than {MAX_JSON_DEPTH} levels", details={field: ["Nested too deeply."]}
            )
        if isinstance(item, str):
            if "\x00" in item or not _is_utf8(item):
                raise ValidationFailed(
                    f"{field} holds NUL characters or text that is not valid UTF-8",
                    details={field: ["Contains NUL characters or invalid UTF-8."]},
                )
        elif isinstance(item, dict):
            stack.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list):
            stack.extend((part, depth + 1) for part in item)


def _is_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _clean_name(name: object) -> str:
    _check_text(name, "name")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise ValidationFailed("name is required", details={"name": ["This field may not be blank."]})
    if len(name) > MAX_NAME:
        raise ValidationFailed(f"name must be at most {MAX_NAME} characters", details={"name": ["Too long."]})
    return name


def _clean_description(description: object) -> str:
    _check_text(description, "description")
    description = description if isinstance(description, str) else ""
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(
            f"description must be at most {MAX_DESCRIPTION} characters", details={"description": ["Too long."]}
        )
    return description


def _clean_config(config: object) -> dict:
    if not isinstance(config, dict):
        raise ValidationFailed("config must be a JSON object", details={"config": ["Expected an object."]})
    _check_text(config, "config")
    size = len(json.dumps(config).encode())
    if size > MAX_CONFIG_BYTES:
        raise ValidationFailed(
            f"config must be at most {MAX_CONFIG_BYTES} bytes of JSON; this one has {size}",
            details={"config": ["Too large."]},
        )
    return config


def _clean_ui_entry(entry: object) -> str:
    try:
        return normalize_path(entry if isinstance(entry, str) else "")
    except InvalidPath as exc:
        raise ValidationFailed(f"Invalid uiEntry: {exc}.", details={"uiEntry": [str(exc)]}) from exc


def app_publish(*, session: Session, name: str, author, description: str = "") -> App:
    """Publish a session as an app: version 1 from its current files, both channels pointing at it."""
    name, description = _clean_name(name), _clean_description(description)
    try:
        with transaction.atomic():
            session = Session.objects.select_for_update().get(pk=session.pk)
            existing = App.objects.filter(session=session).first()
            if existing is not None:
                raise Conflict(f"Session {session.public_id} is already published as {existing.sid}; deploy to it.")
            app = App.objects.create(session=session, name=name, description=description, author=author)
            app.last_deployed_at = app.created_at
            app.save(update_fields=["last_deployed_at"])
            version = _version_create(app=app, session=session, actor=author)
            for channel in Channel.Name.values:
                _move(app=app, channel=channel, to_version=version, actor=author, reason="publish")
            generation_bump_on_commit(app.sid)
    except IntegrityError as exc:  # the unique session constraint, should two publishes race past the lock
        if "unique_session" not in str(exc) and "stage_app.session_id" not in str(exc):
            raise
        raise Conflict(f"Session {session.public_id} is already published.") from exc
    run_deploy_builds(version)
    return app


def app_changes_clean(changes: dict) -> dict:
    """Check an update's changes (name, description, status, config, repository) and return them cleaned."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ValidationFailed(
            f"Cannot update {', '.join(unknown)}", details={key: ["Not updatable."] for key in unknown}
        )
    cleaned = dict(changes)
    if "name" in cleaned:
        cleaned["name"] = _clean_name(cleaned["name"])
    if "description" in cleaned:
        cleaned["description"] = _clean_description(cleaned["description"])
    if "config" in cleaned:
        cleaned["config"] = _clean_config(cleaned["config"])
    if cleaned.get("repository") is not None:
        _check_text(cleaned["repository"], "repository")
    if "ui_entry" in cleaned:
        cleaned["ui_entry"] = _clean_ui_entry(cleaned["ui_entry"])
    if "status" in cleaned and cleaned["status"] not in App.Status.values:
        raise ValidationFailed(
            f"status must be one of {', '.join(App.Status.values)}", details={"status": ["Invalid choice."]}
        )
    return cleaned


def app_update(*, app: App, changes: dict) -> App:
    """Change name, description, status, config or repository; any other key is refused."""
    cleaned = app_changes_clean(changes)
    if not cleaned:
        return app
    with transaction.atomic():
        app = _lock_app(app)
        for field, value in cleaned.items():
            setattr(app, field, value)
        app.save(update_fields=[*cleaned, "updated_at"])
        generation_bump_on_commit(app.sid)
    return app


def _status_change(*, app: App, status: str, actor, note: str) -> App:
    """Archive or unarchive; with an actor, the change is recorded in the channel history too (production's
    pointer stays where it is), so the history says who took an app down, when and why."""
    app = app_update(app=app, changes={"status": status})
    if actor is not None:
        production = Channel.objects.filter(app=app, name=Channel.Name.PRODUCTION).select_related("version").first()
        if production is not None:
            ChannelMove.objects.create(
                app=app,
                channel=Channel.Name.PRODUCTION,
                from_version=production.version,
                to_version=production.version,
                moved_by=actor,
                reason="archive" if status == App.Status.ARCHIVED else "unarchive",
                note=note,
            )
    return app


def app_archive(*, app: App, actor=None, note: str = "") -> App:
    return _status_change(app=app, status=App.Status.ARCHIVED, actor=actor, note=note)


def app_unarchive(*, app: App, actor=None, note: str = "") -> App:
    return _status_change(app=app, status=App.Status.ACTIVE, actor=actor, note=note)


def app_deploy(*, app: App, actor, promote: bool = False) -> AppVersion:
    """A new version from the session's current files; preview moves to it, and production too on promote.

    Once committed, the registered deploy builds run on it (stage/services/deploy_builds.py): the backend is
    compiled ahead and a compile error is kept on the version (`backend_status`, `backend_error`), reported by
    the deploy's answer; the deploy itself stands, so a frontend-only change still ships."""
    with transaction.atomic():
        app = _lock_app(app)
        _refuse_archived(app, "deploy")
        version = _version_create(app=app, session=app.session, actor=actor)
        _move(app=app, channel=Channel.Name.PREVIEW, to_version=version, actor=actor, reason="deploy")
        if promote:
            _move(app=app, channel=Channel.Name.PRODUCTION, to_version=version, actor=actor, reason="deploy --promote")
        app.last_deployed_at = timezone.now()
        app.save(update_fields=["last_deployed_at", "updated_at"])
        generation_bump_on_commit(app.sid)
    run_deploy_builds(version)
    return version


def channel_promote(*, app: App, actor, version_sid: str | None = None, note: str = "") -> Channel:
    """Point production at a version of the app (default: the one preview points at). No rebuild."""
    with transaction.atomic():
        app = _lock_app(app)
        _refuse_archived(app, "promote")
        if version_sid is None:
            version = Channel.objects.select_related("version").get(app=app, name=Channel.Name.PREVIEW).version
        else:
            version = version_get(app=app, sid=version_sid)
        channel = _move(
            app=app, channel=Channel.Name.PRODUCTION, to_version=version, actor=actor, reason="promote", note=note
        )
        App.objects.filter(pk=app.pk).update(updated_at=timezone.now())
        generation_bump_on_commit(app.sid)
    return channel


ROLLBACK = "rollback"


def _production_stack(app: App) -> list[int]:
    """The production versions a rollback can return to, oldest first, current last.

    Every move pushes its version (unless production already serves it); a rollback returns to a version on
    the stack and drops what was above it (or pushes the version it chose, if that was never below). So a plain
    rollback undoes the last production change, and repeated rollbacks keep walking back.
    """
    stack: list[int] = []
    moves = ChannelMove.objects.filter(app=app, channel=Channel.Name.PRODUCTION).order_by("created_at", "id")
    for to_version_id, reason in moves.values_list("to_version_id", "reason"):
        if reason == ROLLBACK and to_version_id in stack:
            del stack[len(stack) - stack[::-1].index(to_version_id) :]  # keep up to its last place
        elif not stack or stack[-1] != to_version_id:
            stack.append(to_version_id)
    return stack


def rollback_target(*, app: App) -> AppVersion | None:
    """The version a plain rollback of production would return to, or None when there is none."""
    stack = _production_stack(app)
    return AppVersion.objects.get(pk=stack[-2]) if len(stack) >= 2 else None


def channel_rollback(*, app: App, actor, version_sid: str | None = None, note: str = "") -> Channel:
    """Point production back at the version it served before its last change (undo, not a rebuild), or at a
    version chosen by its sid."""
    with transaction.atomic():
        app = _lock_app(app)
        _refuse_archived(app, "roll back")
        if version_sid is not None:
            previous = version_get(app=app, sid=version_sid)
        elif (previous := rollback_target(app=app)) is None:
            raise Conflict(f"Production of {app.sid} has no earlier version to roll back to.")
        channel = _move(
            app=app, channel=Channel.Name.PRODUCTION, to_version=previous, actor=actor, reason=ROLLBACK, note=note
        )
        App.objects.filter(pk=app.pk).update(updated_at=timezone.now())
        generation_bump_on_commit(app.sid)
    return channel
