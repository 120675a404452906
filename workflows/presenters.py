"""Response shapes of runs, steps, channels, registrations, messages and deliveries: each output serializer is
the one definition of its shape, for the answers and for the API schema (camelCase keys, epoch ms)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.outputs import EpochMsField, Output, with_json_name
from workflows.models import Delivery, GoogleCredential, Run, StepRun


class GoogleCredentialsOutput(Output):
    """Whether an app has Google credentials, and of which kind: never a secret."""

    appSid = serializers.CharField(source="app_sid")
    configured = serializers.BooleanField()
    kind = serializers.CharField(allow_null=True, help_text="service_account or refresh_token.")
    clientEmail = serializers.CharField(allow_null=True, source="client_email", help_text="A service account's.")
    clientId = serializers.CharField(allow_null=True, source="client_id", help_text="An OAuth client's.")
    updatedAt = EpochMsField(allow_null=True, source="updated_at")


def google_credentials_of(app) -> dict:
    stored = GoogleCredential.objects.filter(app=app).first()
    return GoogleCredentialsOutput.of(
        {
            "app_sid": app.sid,
            "configured": stored is not None,
            "kind": stored.kind if stored else None,
            "client_email": (stored.service_account_info or {}).get("client_email") if stored else None,
            "client_id": (stored.client_id or None) if stored else None,
            "updated_at": stored.updated_at if stored else None,
        }
    )


class RunAcceptedOutput(Output):
    runId = serializers.CharField(source="public_id")
    status = serializers.CharField()


class RunAnswerOutput(serializers.Serializer):
    """Documentation only: what a run without a response step answers (a response step answers its own body)."""

    runId = serializers.CharField(help_text="Without a response step; with one, its templated body instead.")
    status = serializers.CharField()
    outputs = serializers.DictField(help_text="Step id (or stepN) -> the step's output.")


class RunSummaryOutput(Output):
    runId = serializers.CharField(source="public_id")
    appSid = serializers.CharField(source="app.sid")
    versionId = serializers.CharField(source="version.sid")
    workflow = serializers.CharField()
    status = serializers.ChoiceField(choices=Run.Status.values)
    dryRun = serializers.BooleanField(source="dry_run")
    caller = serializers.CharField(source="caller.email")
    error = serializers.JSONField(allow_null=True)
    createdAt = EpochMsField(source="created_at")
    startedAt = EpochMsField(source="started_at", allow_null=True)
    finishedAt = EpochMsField(source="finished_at", allow_null=True)
    durationMs = serializers.FloatField(source="duration_ms", allow_null=True)


with_json_name(RunSummaryOutput, "async", serializers.BooleanField(source="is_async"), after="dryRun")


class StepOutput(Output):
    index = serializers.IntegerField()
    id = serializers.SerializerMethodField()
    block = serializers.CharField()
    status = serializers.ChoiceField(choices=StepRun.Status.values)
    config = serializers.JSONField(help_text="The rendered configuration, secrets redacted.")
    output = serializers.JSONField(allow_null=True)
    error = serializers.JSONField(allow_null=True)
    startedAt = EpochMsField(source="started_at")
    durationMs = serializers.FloatField(source="duration_ms")

    def get_id(self, step: StepRun) -> str | None:
        return step.step_id or None


class RunDetailOutput(RunSummaryOutput):
    input = serializers.JSONField()
    response = serializers.JSONField(allow_null=True)
    steps = StepOutput(many=True, source="steps.all")


class CommunicationChannelOutput(Output):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    kind = serializers.CharField()
    config = serializers.DictField(help_text="Public settings only.")
    secrets = serializers.SerializerMethodField(help_text="Names of the secrets that are set, never their values.")
    createdAt = EpochMsField(source="created_at")

    def get_secrets(self, channel) -> list[str]:
        return sorted(channel.secrets or {})


class RegistrationOutput(Output):
    id = serializers.CharField(source="pk")
    appSid = serializers.CharField(source="app.sid")
    channelId = serializers.CharField(source="channel.public_id")
    active = serializers.BooleanField()
    createdAt = EpochMsField(source="created_at")


class DeliveryOutput(Output):
    status = serializers.ChoiceField(choices=Delivery.Status.values)
    attempts = serializers.IntegerField()
    lastError = serializers.SerializerMethodField()
    providerResponse = serializers.JSONField(source="provider_response", allow_null=True)
    deliveredAt = EpochMsField(source="delivered_at", allow_null=True)
    updatedAt = EpochMsField(source="updated_at")

    def get_lastError(self, delivery) -> str | None:
        return delivery.last_error or None


class MessageOutput(Output):
    id = serializers.CharField(source="public_id")
    appSid = serializers.CharField(source="app.sid")
    channelId = serializers.CharField(source="channel.public_id")
    runId = serializers.CharField(source="run.public_id", allow_null=True)
    to = serializers.CharField()
    subject = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()
    metadata = serializers.DictField()
    createdAt = EpochMsField(source="created_at")
    deliveries = serializers.SerializerMethodField()

    @extend_schema_field(DeliveryOutput(many=True))
    def get_deliveries(self, message) -> list[dict]:
        return [DeliveryOutput.of(message.delivery)] if hasattr(message, "delivery") else []
