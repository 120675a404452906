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
