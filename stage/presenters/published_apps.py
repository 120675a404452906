"""Response shapes of apps, versions, channels and channel moves, shared by the REST API and the Convex endpoint:
each output serializer is the one definition of its shape, for the answers and for the API schema."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.outputs import EpochMsField, Output, RowsField
from stage.models import App, AppVersion, AppVersionFile, Channel
from stage.origins.names import app_url, preview_url, version_url
from stage.selectors import published_apps as selectors

CHANNEL_URLS = {Channel.Name.PRODUCTION: app_url, Channel.Name.PREVIEW: preview_url}


class PersonOutput(Output):
    email = serializers.CharField()
    username = serializers.CharField(source="get_username")


class ChannelOutput(Output):
    """A channel as the SDK knows it: the version it points at, the channel's origin and the version's own."""

    appVersionSid = serializers.CharField(source="version.sid")
    version = serializers.IntegerField(source="version.number")
    updatedAt = EpochMsField(source="updated_at")
    url = serializers.SerializerMethodField(help_text="The channel's origin (production: the app's URL).")
    versionUrl = serializers.SerializerMethodField(help_text="The origin of the version the channel points at.")

    def get_url(self, channel: Channel) -> str:
        return CHANNEL_URLS[channel.name](channel.app.sid)

    def get_versionUrl(self, channel: Channel) -> str:
        return version_url(channel.app.sid, channel.version.number)


class ChannelsOutput(Output):
    """{preview, production}: each a ChannelOutput, or null before the channel exists (from a name -> Channel map)."""

    preview = ChannelOutput(allow_null=True)
    production = ChannelOutput(allow_null=True)

    def to_representation(self, channels: dict[str, Channel]):
        return {name: ChannelOutput.of(channels.get(name)) for name in (Channel.Name.PREVIEW, Channel.Name.PRODUCTION)}


class AppOutput(Output):
    sid = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    sessionId = serializers.CharField(source="session.public_id")
    author = PersonOutput()
    status = serializers.ChoiceField(choices=App.Status.values)
    repository = serializers.JSONField(allow_null=True)
    config = serializers.JSONField()
    createdAt = EpochMsField(source="created_at")
    updatedAt = EpochMsField(source="updated_at")
    lastDeployedAt = EpochMsField(source="last_deployed_at", allow_null=True)
    channels = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The app's own origin: its UI at /, its backend at /api.")
    previewUrl = serializers.SerializerMethodField(help_text="The preview channel's origin (owner's key or link).")
    uiEntry = serializers.CharField(source="ui_entry")

    @extend_schema_field(ChannelsOutput)
    def get_channels(self, app: App) -> dict:
        """From the prefetch of a listing (apps_detail), or one query for a single app."""
        if _prefetched(app):
            return ChannelsOutput.of({channel.name: channel for channel in app.channels.all()})
        return ChannelsOutput.of(selectors.channels_of(app=app))

    def get_url(self, app: App) -> str:
        return app_url(app.sid)

    def get_previewUrl(self, app: App) -> str:
        return preview_url(app.sid)


class ManifestFileOutput(Output):
    """A row of a version's manifest (a RowsField, built by selectors.version_manifest or versions_detail)."""

    path = serializers.CharField()
    version = serializers.IntegerField(help_text="The session file's version this app version holds.")
    size = serializers.IntegerField()


class VersionUiOutput(Output):
    """How the version's UI build went."""

    entry = serializers.SerializerMethodField(help_text="Null: the version has no UI.")
    status = serializers.ChoiceField(source="ui_status", choices=AppVersion.UiStatus.values)
    error = serializers.CharField(source="ui_error", allow_null=True)
    errorLocations = serializers.ListField(
        source="ui_error_locations",
        child=serializers.DictField(),
        allow_null=True,
        help_text="Build errors as {file, line, column, message}.",
    )
    builtAt = EpochMsField(source="ui_built_at", allow_null=True)

    def get_entry(self, version: AppVersion) -> str | None:
        return version.ui_entry or None


class VersionBackendOutput(Output):
    """How the deploy's compile of the version's backend went (unchecked: deployed before deploys compiled)."""

    status = serializers.ChoiceField(source="backend_status", choices=AppVersion.BackendStatus.values)
    error = serializers.DictField(
        source="backend_error", allow_null=True, help_text="{file, line, column, message} of a failed compile."
    )


class VersionOutput(Output):
    sid = serializers.CharField()
    version = serializers.IntegerField(source="number")
    createdAt = EpochMsField(source="created_at")
    createdBy = PersonOutput(source="created_by", allow_null=True)
    backendEntrypoint = serializers.SerializerMethodField()
    computeModules = serializers.ListField(source="compute_modules", child=serializers.CharField())
    workflows = serializers.JSONField(allow_null=True)
    files = RowsField(ManifestFileOutput, source="manifest")
    url = serializers.SerializerMethodField(help_text="The version's own origin, which always serves this version.")
    ui = VersionUiOutput(source="*")
    backend = VersionBackendOutput(source="*")

    def get_backendEntrypoint(self, version: AppVersion) -> str | None:
        return version.backend_entrypoint or None

    def get_url(self, version: AppVersion) -> str:
        return version_url(version.app.sid, version.number)


class DeployOutput(Output):
    app = AppOutput()
    version = VersionOutput()


class ChannelMoveOutput(Output):
    channel = serializers.CharField()
    fromAppVersionSid = serializers.CharField(source="from_version.sid", allow_null=True)
    fromVersion = serializers.IntegerField(source="from_version.number", allow_null=True)
    toAppVersionSid = serializers.CharField(source="to_version.sid")
    toVersion = serializers.IntegerField(source="to_version.number")
    movedBy = PersonOutput(source="moved_by", allow_null=True)
    reason = serializers.CharField()
    note = serializers.CharField(help_text="Why, as written by whoever moved it (the admin asks for one).")
    createdAt = EpochMsField(source="created_at")


class PreviewLinkOutput(Output):
    url = serializers.CharField(help_text="Opens the preview; the token becomes a cookie on that origin.")
    token = serializers.CharField(help_text="For API calls: ?stage_preview=<token>.")
    expiresAt = serializers.IntegerField()


def _prefetched(app: App) -> bool:
    return "channels" in getattr(app, "_prefetched_objects_cache", {})


def apps_detail(apps: QuerySet[App]) -> list[dict]:
    """Many apps with their channels in two queries."""
    channels = Prefetch("channels", queryset=Channel.objects.select_related("version", "app"))
    return AppOutput.many(apps.prefetch_related(channels))


def version_detail(version: AppVersion) -> dict:
    version.manifest = selectors.version_manifest(version=version)
    return VersionOutput.of(version)


def versions_detail(versions: QuerySet[AppVersion]) -> list[dict]:
    """Many versions with their file manifests in two queries (tuples, no file contents, no model rows)."""
    versions = list(versions)
    manifests: dict[int, list[dict]] = {version.pk: [] for version in versions}
    rows = AppVersionFile.objects.filter(version__in=versions).order_by("version_id", "path")
    for version_id, path, number, size in rows.values_list(
        "version_id", "path", "file_version__version", "file_version__size"
    ):
        manifests[version_id].append({"path": path, "version": number, "size": size})
    for version in versions:
        version.manifest = manifests[version.pk]
    return VersionOutput.many(versions)
