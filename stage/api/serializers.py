"""Input serializers refuse unknown keys; output shapes live in stage.presenters and are documented here."""

from rest_framework import serializers

from core.api.serializers import StrictCharField, StrictSerializer
from core.errors import ValidationFailed

# --- Inputs --------------------------------------------------------------------------------------------


class SessionCreateInput(StrictSerializer):
    name = StrictCharField(required=False, allow_blank=True, allow_null=True, max_length=200)


class PushInput(StrictSerializer):
    files = serializers.JSONField(
        help_text='Either {"/path": "content", ...} or [{"path": "/path", "content": "..."}, ...].'
    )


class FileWriteInput(StrictSerializer):
    content = StrictCharField(allow_blank=True, trim_whitespace=False)


class RenderInput(StrictSerializer):
    entry = StrictCharField(required=False, allow_null=True, help_text="Defaults to /app/App.tsx.")


class SnapshotCreateInput(StrictSerializer):
    name = StrictCharField(required=False, allow_blank=True, allow_null=True, max_length=200)


class GoogleScopesInput(StrictSerializer):
    scopes = serializers.ListField(child=StrictCharField(), allow_empty=True)


def push_files_from(value) -> list[tuple[object, object]]:
    """Accept both push forms: the spec's {path: content} and the SDK's [{path, content}]."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list):
        files = []
        for index, item in enumerate(value):
            if not isinstance(item, dict) or set(item) != {"path", "content"}:
                raise ValidationFailed(
                    f"files[{index}] must be an object with exactly 'path' and 'content'",
                    details={"files": {str(index): ["Expected {path, content}."]}},
                )
            files.append((item["path"], item["content"]))
        return files
    raise ValidationFailed(
        "files must be an object {path: content} or a list of {path, content}",
        details={"files": ["Expected an object or a list."]},
    )
