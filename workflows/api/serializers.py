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


class GoogleCredentialsInput(StrictSerializer):
    """Exactly one way to act as a Google account: a service account's JSON key, or an OAuth refresh token (with
    the OAuth client it was issued to)."""

    serviceAccount = serializers.JSONField(
        required=False, help_text="The service account's JSON key, as Google gives it."
    )
    refreshToken = StrictCharField(required=False, max_length=2000)
    clientId = StrictCharField(required=False, allow_blank=True, max_length=300)
    clientSecret = StrictCharField(required=False, allow_blank=True, max_length=500)
