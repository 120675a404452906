from rest_framework import serializers

from core.api.serializers import StrictCharField, StrictSerializer


class RunInput(StrictSerializer):
    input = serializers.DictField(required=False, default=dict, help_text="Available to templates as {{ input.x }}.")


class ChannelCreateInput(StrictSerializer):
    name = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(choices=["email", "slack", "webhook"])
    config = serializers.DictField(required=False, default=dict)


class RegistrationCreateInput(StrictSerializer):
    appSid = StrictCharField(max_length=64)
    channelId = StrictCharField(max_length=64)


# --- Outputs (documentation of workflows.presenters' shapes) -------------------------------------------


class RunAcceptedOutput(serializers.Serializer):
    runId = serializers.CharField()
    status = serializers.CharField()


class RunAnswerOutput(serializers.Serializer):
    runId = serializers.CharField(help_text="Without a response step; with one, its templated body instead.")
    status = serializers.CharField()
    outputs = serializers.DictField(help_text="Step id (or stepN) -> the step's output.")


class RunSummaryOutput(serializers.Serializer):
    runId = serializers.CharField()
    appSid = serializers.CharField()
    versionId = serializers.CharField()
    workflow = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"])
    dryRun = serializers.BooleanField()
    # "async" is a Python keyword; the field is declared under its JSON name below.
    caller = serializers.CharField()
    error = serializers.JSONField(allow_null=True)
    createdAt = serializers.IntegerField()
    startedAt = serializers.IntegerField(allow_null=True)
    finishedAt = serializers.IntegerField(allow_null=True)
    durationMs = serializers.FloatField(allow_null=True)


RunSummaryOutput._declared_fields["async"] = serializers.BooleanField()


class StepOutput(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.CharField(allow_null=True)
    block = serializers.CharField()
    status = serializers.CharField()
    config = serializers.JSONField(help_text="The rendered configuration, secrets redacted.")
    output = serializers.JSONField(allow_null=True)
    error = serializers.JSONField(allow_null=True)
    startedAt = serializers.IntegerField()
    durationMs = serializers.FloatField()


class RunDetailOutput(RunSummaryOutput):
    input = serializers.JSONField()
    response = serializers.JSONField(allow_null=True)
    steps = StepOutput(many=True)


class CommunicationChannelOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    config = serializers.DictField(help_text="Public settings only.")
    secrets = serializers.ListField(child=serializers.CharField(), help_text="Names of the secrets that are set.")
    createdAt = serializers.IntegerField()


class RegistrationOutput(serializers.Serializer):
    id = serializers.CharField()
    appSid = serializers.CharField()
    channelId = serializers.CharField()
    active = serializers.BooleanField()
    createdAt = serializers.IntegerField()


class DeliveryOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["queued", "sending", "delivered", "failed"])
    attempts = serializers.IntegerField()
    lastError = serializers.CharField(allow_null=True)
    providerResponse = serializers.JSONField(allow_null=True)
    deliveredAt = serializers.IntegerField(allow_null=True)
    updatedAt = serializers.IntegerField()


class MessageOutput(serializers.Serializer):
    id = serializers.CharField()
    appSid = serializers.CharField()
    channelId = serializers.CharField()
    runId = serializers.CharField(allow_null=True)
    to = serializers.CharField()
    subject = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()
    metadata = serializers.DictField()
    createdAt = serializers.IntegerField()
    deliveries = DeliveryOutput(many=True)
