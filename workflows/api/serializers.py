from rest_framework import serializers

from stage.api.serializers import StrictSerializer


class RunInput(StrictSerializer):
    input = serializers.DictField(required=False, default=dict, help_text="Available to templates as {{ input.x }}.")


class ChannelCreateInput(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=["email", "slack", "webhook"])
    config = serializers.DictField(required=False, default=dict)


class RegistrationCreateInput(StrictSerializer):
    appSid = serializers.CharField(max_length=64)
    channelId = serializers.CharField(max_length=64)
