"""Input serializers refuse unknown keys; output shapes live in stage.presenters and are documented here."""

from rest_framework import serializers

from core.api.serializers import StrictCharField, StrictSerializer
from core.errors import ValidationFailed

# --- Inputs --------------------------------------------------------------------------------------------


class SessionCreateInput(StrictSerializer):
    name = StrictCharField(required=False, allow_blank=True, allow_null=True, max_length=200)


class PushInput(StrictSerializer):
    files = serializers.JSONField(
        help_text='Either {"/path": "content", ...} or [{"path": "/path", "content": "...", "encoding"?: ...}, ...]'
        ' ("encoding": "base64" for a binary file: an image, a font).'
    )


class FileWriteInput(StrictSerializer):
    content = StrictCharField(allow_blank=True, trim_whitespace=False)
    encoding = serializers.ChoiceField(choices=["utf-8", "base64"], required=False, default="utf-8")


class RenderInput(StrictSerializer):
    entry = StrictCharField(required=False, allow_null=True, help_text="Defaults to /app/App.tsx.")


class SnapshotCreateInput(StrictSerializer):
    name = StrictCharField(required=False, allow_blank=True, allow_null=True, max_length=200)


class GoogleScopesInput(StrictSerializer):
    scopes = serializers.ListField(child=StrictCharField(), allow_empty=True)


def push_files_from(value) -> list[tuple[object, object]]:
    """Accept both push forms: the spec's {path: content} and the SDK's [{path, content, encoding?}]."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list):
        files = []
        for index, item in enumerate(value):
            if not isinstance(item, dict) or not {"path", "content"} <= set(item) <= {"path", "content", "encoding"}:
                raise ValidationFailed(
                    f"files[{index}] must be an object with 'path', 'content' and optionally 'encoding'",
                    details={"files": {str(index): ["Expected {path, content, encoding?}."]}},
                )
            files.append((item["path"], item["content"], item.get("encoding", "utf-8")))
        return files
    raise ValidationFailed(
        "files must be an object {path: content} or a list of {path, content}",
        details={"files": ["Expected an object or a list."]},
    )
