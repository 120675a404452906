"""Inputs of inference calls, shared by the REST views and the bridge (which needs a StageError, not DRF's);
and documentation of the answers' shapes (built in services.py and selectors.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.outputs import Output
from core.api.serializers import StrictCharField, StrictIntegerField, StrictSerializer
from core.errors import ValidationFailed
from published_api.inference.models import Usage


class Message(StrictSerializer):
    role = serializers.ChoiceField(choices=["system", "user", "assistant", "developer", "tool"])
    content = StrictCharField(allow_blank=True, max_length=1_000_000, trim_whitespace=False)
    name = StrictCharField(required=False, max_length=64)


class ChatInput(StrictSerializer):
    model = StrictCharField(required=False, allow_null=True, max_length=200)
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    messages = Message(many=True, allow_empty=False, max_length=1000)
    maxTokens = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=1_000_000)
    temperature = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=2)


MAX_EMBED_INPUTS = 2048
_TEXT = {"type": "string", "minLength": 1}


@extend_schema_field({"oneOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1, "maxItems": MAX_EMBED_INPUTS}]})
class EmbedTexts(serializers.JSONField):
    """One text or a list of texts (checked in EmbedInput.validate_input)."""


class EmbedInput(StrictSerializer):
    model = StrictCharField(required=False, allow_null=True, max_length=200)
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    input = EmbedTexts()

    def validate_input(self, value):
        if isinstance(value, str) and value:
            return value
        if (
            isinstance(value, list)
            and 0 < len(value) <= MAX_EMBED_INPUTS
            and all(isinstance(v, str) and v for v in value)
        ):
            return value
        raise serializers.ValidationError(
            f"input is a non-empty string or a list of up to {MAX_EMBED_INPUTS} non-empty strings."
        )


class ImageInput(StrictSerializer):
    model = StrictCharField(required=False, allow_null=True, max_length=200)
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    prompt = StrictCharField(max_length=32_000)
    size = serializers.RegexField(r"^\d{2,5}x\d{2,5}$", required=False, allow_null=True)


# The last millisecond a datetime can hold (9999-12-31T23:59:59.999Z): later bounds cannot be compared.
LATEST_DATETIME_MS = 253_402_300_799_999


def _epoch_ms_bound() -> StrictIntegerField:
    return StrictIntegerField(
        from_text=True,
        required=False,
        allow_null=True,
        min_value=0,
        max_value=LATEST_DATETIME_MS,
        help_text="Epoch milliseconds.",
    )


class UsageInput(StrictSerializer):
    provider = StrictCharField(required=False, allow_null=True, max_length=64)
    since = _epoch_ms_bound()
    until = _epoch_ms_bound()


def checked(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        errors = serializer.errors
        fields = ", ".join(sorted(errors)) if isinstance(errors, dict) else "input"
        raise ValidationFailed(f"Invalid inference request ({fields}).", details=errors)
    return serializer.validated_data


# --- Outputs: the one definition of each answer's shape, over the services' answers ----------------------


class ChatTextOutput(Output):
    type = serializers.ChoiceField(choices=["text"])
    text = serializers.CharField()


class ChatUsageOutput(Output):
    inputTokens = serializers.IntegerField(source="input_tokens")
    outputTokens = serializers.IntegerField(source="output_tokens")


class ChatOutput(Output):
    content = serializers.SerializerMethodField()
    model = serializers.CharField()
    usage = ChatUsageOutput(source="*")
    stopReason = serializers.CharField(
        source="stop_reason", help_text="The provider's finish reason: stop, length, ..."
    )

    @extend_schema_field(ChatTextOutput(many=True))
    def get_content(self, answer) -> list[dict]:
        return [{"type": "text", "text": answer.text}]


class EmbedUsageOutput(Output):
    inputTokens = serializers.IntegerField(source="input_tokens")


class EmbedOutput(Output):
    embeddings = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    model = serializers.CharField()
    usage = EmbedUsageOutput(source="*")


class ImageOutput(Output):
    url = serializers.CharField(required=False, help_text="The image's address at the provider, when it sends one.")
    b64 = serializers.CharField(required=False, help_text="The image itself, base64-encoded, when it sends that.")

    def to_representation(self, image):
        return {key: value for key, value in super().to_representation(image).items() if value is not None}


class ImagesOutput(Output):
    images = ImageOutput(many=True)
    model = serializers.CharField()


class UsageTotalsOutput(Output):
    calls = serializers.IntegerField()
    errors = serializers.IntegerField(help_text="Calls that failed (their status is an error code).")
    inputTokens = serializers.IntegerField(source="input_tokens")
    outputTokens = serializers.IntegerField(source="output_tokens")


class UsageByModelOutput(UsageTotalsOutput):
    provider = serializers.CharField()
    model = serializers.CharField()
    kind = serializers.ChoiceField(choices=Usage.Kind.values)


class UsageOutput(Output):
    totals = UsageTotalsOutput()
    byModel = UsageByModelOutput(many=True, source="by_model")


class PreviewAllowanceInput(StrictSerializer):
    tokensPerHour = StrictIntegerField(min_value=0, max_value=100_000_000, help_text="0 takes the leave back.")


class PreviewAllowanceOutput(Output):
    sessionId = serializers.CharField(source="session_id")
    allowed = serializers.BooleanField()
    tokensPerHour = serializers.IntegerField(source="tokens_per_hour")
