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
