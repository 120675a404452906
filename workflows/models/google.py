from django.db import models

from core.fields import EncryptedJSONField, EncryptedTextField


class GoogleCredential(models.Model):
    """The Google account an app's Sheets steps act as: an OAuth refresh token or a service account key.

    The secret, the refresh token and the key are encrypted at rest."""

    class Kind(models.TextChoices):
        REFRESH_TOKEN = "refresh_token", "OAuth refresh token"
        SERVICE_ACCOUNT = "service_account", "Service account"

    app = models.OneToOneField("stage.App", on_delete=models.CASCADE, related_name="google_credential")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.REFRESH_TOKEN)
    client_id = models.CharField(max_length=300, blank=True)
    client_secret = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    service_account_info = EncryptedJSONField(null=True, blank=True, help_text="The service account's JSON key.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.app_id} ({self.kind})"
