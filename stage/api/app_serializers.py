"""Inputs of the app endpoints (REST and Convex) and documentation of the app presenters' shapes."""

import re
import time

from rest_framework import serializers

from core.api.serializers import StrictBooleanField, StrictCharField, StrictIntegerField, StrictSerializer
from stage.models import App

SERVER_OWNED = (
    "sid", "sessionId", "author", "createdAt", "updatedAt", "lastDeployedAt", "channels", "url", "previewUrl",
)  # fmt: skip
_SLUG = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
# git check-ref-format, roughly: no control characters, spaces, ~^:?*[\, no "..", "@{", "//", no leading or
# trailing "/", no trailing "." or ".lock".
_BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*@\{)[^\x00-\x20\x7f~^:?*\[\\]{1,255}(?<!/)(?<!\.)(?<!\.lock)$")
MAX_EPOCH_MS = 2**53 - 1


def _slug(value: str) -> str:
    if not _SLUG.match(value) or value in (".", ".."):
        raise serializers.ValidationError("Use letters, digits, '.', '_' and '-' (at most 100).")
    return value


class RepositoryInput(StrictSerializer):
    """The spec's repository linkage object."""

    provider = serializers.ChoiceField(choices=["github", "gitlab", "bitbucket"])
    owner = StrictCharField(max_length=100, validators=[_slug])
    name = StrictCharField(max_length=100, validators=[_slug])
    fullName = StrictCharField(max_length=201)
    url = serializers.URLField(max_length=500)
    visibility = serializers.ChoiceField(choices=["public", "private", "internal"], required=False, allow_null=True)
    defaultBranch = serializers.RegexField(_BRANCH, max_length=255, required=False, allow_null=True)
    remoteName = StrictCharField(max_length=100, validators=[_slug], required=False, allow_null=True)
    linkedAt = StrictIntegerField(min_value=0, max_value=MAX_EPOCH_MS, required=False, allow_null=True)

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("https://", "http://")):
            raise serializers.ValidationError("Must be an http(s) URL.")
        if "@" in value.split("/", 3)[2]:
            raise serializers.ValidationError("Must not carry credentials.")
        return value

    def validate(self, attrs):
        if attrs["fullName"] != f"{attrs['owner']}/{attrs['name']}":
            raise serializers.ValidationError({"fullName": ["Must be owner/name."]})
        linked = {field: attrs.get(field) for field in ("visibility", "defaultBranch", "remoteName", "linkedAt")}
        if linked["linkedAt"] is None:
            linked["linkedAt"] = int(time.time() * 1000)
        return {key: attrs[key] for key in ("provider", "owner", "name", "fullName", "url")} | linked


class AppPublishInput(StrictSerializer):
    sessionId = StrictCharField(max_length=64)
    name = StrictCharField(max_length=200)
    description = StrictCharField(max_length=5000, required=False, allow_blank=True, trim_whitespace=False)


class AppUpdateInput(StrictSerializer):
    name = StrictCharField(max_length=200, required=False)
    description = StrictCharField(max_length=5000, required=False, allow_blank=True, trim_whitespace=False)
    status = serializers.ChoiceField(choices=App.Status.values, required=False)
    config = serializers.DictField(required=False, help_text="Read by workflows as {{ config.x }}.")
    repository = RepositoryInput(required=False, allow_null=True)
    uiEntry = StrictCharField(
        source="ui_entry", max_length=1024, required=False, help_text="The file new versions build their UI from."
    )

    server_owned = SERVER_OWNED

    def to_internal_value(self, data):
        if isinstance(data, dict):
            owned = sorted(key for key in data if key in self.server_owned)
            if owned:
                raise serializers.ValidationError({key: ["Read-only: set by the server."] for key in owned})
        return super().to_internal_value(data)


class AppListQuery(StrictSerializer):
    author = StrictCharField(max_length=254, required=False)
    sessionId = StrictCharField(max_length=64, required=False)
    status = serializers.ChoiceField(choices=App.Status.values, required=False)


class AppDeployInput(StrictSerializer):
    promote = StrictBooleanField(required=False, default=False)


class PromoteInput(StrictSerializer):
    appVersionSid = StrictCharField(max_length=64, required=False, allow_null=True)


class EmptyInput(StrictSerializer):
    pass


class PreviewLinkInput(StrictSerializer):
    version = StrictIntegerField(
        min_value=1, required=False, allow_null=True, help_text="A version's own origin (default: the preview channel)."
    )
    expiresIn = StrictIntegerField(required=False, allow_null=True, help_text="Seconds (default 86400).")


# --- Outputs (documentation of the presenters' shapes) -------------------------------------------------


class PersonOutput(serializers.Serializer):
    email = serializers.CharField()
    username = serializers.CharField()


class ChannelOutput(serializers.Serializer):
    appVersionSid = serializers.CharField()
    version = serializers.IntegerField()
    updatedAt = serializers.IntegerField()
    url = serializers.CharField(help_text="The channel's origin (production: the app's URL).")
    versionUrl = serializers.CharField(help_text="The origin of the version the channel points at.")


class ChannelsOutput(serializers.Serializer):
    preview = ChannelOutput(allow_null=True)
    production = ChannelOutput(allow_null=True)


class AppOutput(serializers.Serializer):
    sid = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    sessionId = serializers.CharField()
    author = PersonOutput()
    status = serializers.ChoiceField(choices=App.Status.values)
    repository = serializers.JSONField(allow_null=True)
    config = serializers.JSONField()
    createdAt = serializers.IntegerField()
    updatedAt = serializers.IntegerField()
    lastDeployedAt = serializers.IntegerField(allow_null=True)
    channels = ChannelsOutput()
    url = serializers.CharField(help_text="The app's own origin: its UI at /, its backend at /api.")
    previewUrl = serializers.CharField(help_text="The preview channel's origin (owner's key or preview link).")
    uiEntry = serializers.CharField()


class ManifestFileOutput(serializers.Serializer):
    path = serializers.CharField()
    version = serializers.IntegerField(help_text="The session file's version this app version holds.")
    size = serializers.IntegerField()


class VersionUiOutput(serializers.Serializer):
    entry = serializers.CharField(allow_null=True, help_text="Null: the version has no UI.")
    status = serializers.ChoiceField(choices=["none", "queued", "building", "ready", "failed"])
    error = serializers.CharField(allow_null=True)
    errorLocations = serializers.ListField(
        child=serializers.DictField(), allow_null=True, help_text="Build errors as {file, line, column, message}."
    )
    builtAt = serializers.IntegerField(allow_null=True)


class PreviewLinkOutput(serializers.Serializer):
    url = serializers.CharField(help_text="Opens the preview; the token becomes a cookie on that origin.")
    token = serializers.CharField(help_text="For API calls: ?stage_preview=<token>.")
    expiresAt = serializers.IntegerField()


class VersionOutput(serializers.Serializer):
    sid = serializers.CharField()
    version = serializers.IntegerField()
    createdAt = serializers.IntegerField()
    createdBy = PersonOutput(allow_null=True)
    backendEntrypoint = serializers.CharField(allow_null=True)
    computeModules = serializers.ListField(child=serializers.CharField())
    workflows = serializers.JSONField(allow_null=True)
    files = ManifestFileOutput(many=True)
    url = serializers.CharField(help_text="The version's own origin, which always serves this version.")
    ui = VersionUiOutput()


class DeployOutput(serializers.Serializer):
    app = AppOutput()
    version = VersionOutput()


class ChannelMoveOutput(serializers.Serializer):
    channel = serializers.CharField()
    fromAppVersionSid = serializers.CharField(allow_null=True)
    fromVersion = serializers.IntegerField(allow_null=True)
    toAppVersionSid = serializers.CharField()
    toVersion = serializers.IntegerField()
    movedBy = PersonOutput(allow_null=True)
    reason = serializers.CharField()
    createdAt = serializers.IntegerField()
