from django.conf import settings
from django.db import models

from core.fields import EncryptedJSONField
from core.ids import new_prefixed_id


def new_channel_id() -> str:
    return new_prefixed_id("chn")


def new_message_id() -> str:
    return new_prefixed_id("msg")


class CommunicationChannel(models.Model):
    """Where messages go: an email sender, a Slack incoming webhook or a signed webhook.

    `secrets` (Slack's webhook URL, a webhook's signing secret) never leave, and are encrypted at rest."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        SLACK = "slack"
        WEBHOOK = "webhook"

    public_id = models.CharField(max_length=32, unique=True, default=new_channel_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comm_channels")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    config = models.JSONField(default=dict, blank=True)
    secrets = EncryptedJSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.public_id} ({self.kind}: {self.name})"


class Registration(models.Model):
    """An app's permission to send through a channel."""

    app = models.ForeignKey("stage.App", on_delete=models.CASCADE, related_name="comm_registrations")
    channel = models.ForeignKey(CommunicationChannel, on_delete=models.CASCADE, related_name="registrations")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["app", "channel"],
                condition=models.Q(active=True),
                name="%(app_label)s_%(class)s_one_active",
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.app_id} -> {self.channel_id}"


class Message(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_message_id, editable=False)
    app = models.ForeignKey("stage.App", on_delete=models.CASCADE, related_name="comm_messages")
    channel = models.ForeignKey(CommunicationChannel, on_delete=models.PROTECT, related_name="messages")
    run = models.ForeignKey("workflows.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    step_index = models.PositiveIntegerField(null=True, blank=True)
    to = models.CharField(max_length=500, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    html = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "step_index"], name="%(app_label)s_%(class)s_unique_step"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.public_id


class Delivery(models.Model):
    """The one delivery of a message. A claim with a lease keeps two task runs from both sending."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        DELIVERED = "delivered"
        FAILED = "failed"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="delivery")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_response = models.JSONField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.message.public_id}: {self.status}"
