"""Inputs of inference calls, shared by the REST views and the bridge (which needs a StageError, not DRF's)."""

from rest_framework import serializers

from stage.api.serializers import StrictCharField, StrictSerializer
from stage.errors import ValidationFailed


class Message(StrictSerializer):
    role = serializers.ChoiceField(choices=["system", "user", "assistant", "developer", "tool"])
    content = StrictCharField(allow_blank=True, max_length=1_000_000, trim_whitespace=False)
    name = StrictCharField(required=False, max_length=64)


class ChatInput(StrictSerializer):
    model = StrictCharField(required=False, allow_null=True, max_length=200)
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    messages = Message(many=True, allow_empty=False, max_length=1000)
    maxTokens = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1_000_000)
    temperature = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=2)


class EmbedInput(StrictSerializer):
    model = StrictCharField(required=False, allow_null=True, max_length=200)
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    input = serializers.JSONField()

    def validate_input(self, value):
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value and len(value) <= 2048 and all(isinstance(v, str) and v for v in value):
            return value
        raise serializers.ValidationError("input is a non-empty string or a list of up to 2048 non-empty strings.")


class ImageInput(StrictSerializer):
    model = StrictCharField(required=False, allow_null=True, max_length=200)
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    prompt = StrictCharField(max_length=32_000)
    size = serializers.RegexField(r"^\d{2,5}x\d{2,5}$", required=False, allow_null=True)


class UsageInput(StrictSerializer):
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    since = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    until = serializers.IntegerField(required=False, allow_null=True, min_value=0)


def checked(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        errors = serializer.errors
        fields = ", ".join(sorted(errors)) if isinstance(errors, dict) else "input"
        raise ValidationFailed(f"Invalid inference request ({fields}).", details=errors)
    return serializer.validated_data
