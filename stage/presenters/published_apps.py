"""The JSON shapes of apps, versions, channels and channel moves, shared by the REST API and the Convex endpoint."""

from django.db.models import Prefetch, QuerySet

from core.timestamps import epoch_ms
from stage.models import App, AppVersion, AppVersionFile, Channel, ChannelMove
from stage.origins.names import app_url, preview_url, version_url
from stage.selectors import published_apps as selectors

CHANNEL_URLS = {Channel.Name.PRODUCTION: app_url, Channel.Name.PREVIEW: preview_url}


def person(user) -> dict | None:
    return None if user is None else {"email": user.email, "username": user.get_username()}


def channel_summary(channel: Channel | None, *, app_sid: str) -> dict | None:
    if channel is None:
        return None
    return {
        "appVersionSid": channel.version.sid,
        "version": channel.version.number,
        "updatedAt": epoch_ms(channel.updated_at),
        "url": CHANNEL_URLS[channel.name](app_sid),
        "versionUrl": version_url(app_sid, channel.version.number),
    }


def channels_summary(channels: dict[str, Channel], *, app_sid: str) -> dict:
    """{preview: {appVersionSid, version, updatedAt, url, versionUrl} | null, production: ...}: the SDK's shape,
    with the channel's origin and the version's own origin."""
    names = (Channel.Name.PREVIEW, Channel.Name.PRODUCTION)
    return {name: channel_summary(channels.get(name), app_sid=app_sid) for name in names}


def app_detail(app: App, *, channels: dict[str, Channel] | None = None) -> dict:
    if channels is None:
        channels = selectors.channels_of(app=app)
    return {
        "sid": app.sid,
        "name": app.name,
        "description": app.description,
        "sessionId": app.session.public_id,
        "author": person(app.author),
        "status": app.status,
        "repository": app.repository,
        "config": app.config,
        "createdAt": epoch_ms(app.created_at),
        "updatedAt": epoch_ms(app.updated_at),
        "lastDeployedAt": epoch_ms(app.last_deployed_at),
        "channels": channels_summary(channels, app_sid=app.sid),
        "url": app_url(app.sid),
        "previewUrl": preview_url(app.sid),
        "uiEntry": app.ui_entry,
    }


def apps_detail(apps: QuerySet[App]) -> list[dict]:
    """Many apps with their channels in two queries."""
    apps = apps.prefetch_related(Prefetch("channels", queryset=Channel.objects.select_related("version")))
    return [app_detail(app, channels={c.name: c for c in app.channels.all()}) for app in apps]


def version_detail(version: AppVersion, *, files: list[dict] | None = None) -> dict:
    if files is None:
        files = selectors.version_manifest(version=version)
    return {
        "sid": version.sid,
        "version": version.number,
        "createdAt": epoch_ms(version.created_at),
        "createdBy": person(version.created_by),
        "backendEntrypoint": version.backend_entrypoint or None,
        "computeModules": version.compute_modules,
        "workflows": version.workflows,
        "files": files,
        "url": version_url(version.app.sid, version.number),
        "ui": version_ui(version),
        "backend": {"status": version.backend_status, "error": version.backend_error},
    }


def version_ui(version: AppVersion) -> dict:
    """How the version's UI build went: {entry, status, error, errorLocations, builtAt}."""
    return {
        "entry": version.ui_entry or None,
        "status": version.ui_status,
        "error": version.ui_error,
        "errorLocations": version.ui_error_locations,
        "builtAt": epoch_ms(version.ui_built_at),
    }


def versions_detail(versions: QuerySet[AppVersion]) -> list[dict]:
    """Many versions with their file manifests in two queries (tuples, no file contents, no model rows)."""
    versions = list(versions)
    manifests: dict[int, list[dict]] = {version.pk: [] for version in versions}
    rows = AppVersionFile.objects.filter(version__in=versions).order_by("version_id", "path")
    for version_id, path, number, size in rows.values_list(
        "version_id", "path", "file_version__version", "file_version__size"
    ):
        manifests[version_id].append({"path": path, "version": number, "size": size})
    return [version_detail(version, files=manifests[version.pk]) for version in versions]


def channel_move(move: ChannelMove) -> dict:
    return {
        "channel": move.channel,
        "fromAppVersionSid": move.from_version.sid if move.from_version else None,
        "fromVersion": move.from_version.number if move.from_version else None,
        "toAppVersionSid": move.to_version.sid,
        "toVersion": move.to_version.number,
        "movedBy": person(move.moved_by),
        "reason": move.reason,
        "createdAt": epoch_ms(move.created_at),
    }
