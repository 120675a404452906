"""Inference providers (OpenAI-compatible endpoints) and one usage row per call.

Usage rows name session, app and provider by their public names (no foreign keys): they are written from
bridge threads and must survive a provider's rename or an app's archive.
"""

from django.db import models

from published_api.inference.secrets import decrypt


class Provider(models.Model):
    name = models.SlugField(max_length=64, unique=True, help_text="e.g. openai-prod")
    base_url = models.URLField(max_length=500, help_text="OpenAI-compatible base URL, e.g. https://api.openai.com/v1")
    api_key_env = models.CharField(
        max_length=100, blank=True, help_text="Name of the environment variable holding the API key."
    )
    api_key_encrypted = models.TextField(blank=True, editable=False)
    default_model = models.CharField(max_length=200)
    allowed_models = models.JSONField(default=list, blank=True, help_text="Model ids; empty allows any.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def api_key(self) -> str:
        import os

        if self.api_key_env:
            return os.environ.get(self.api_key_env, "")
        return decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""


class Usage(models.Model):
    class Kind(models.TextChoices):
        CHAT = "chat"
        EMBED = "embed"
        IMAGE = "image"

    session_id = models.CharField(max_length=64, db_index=True)
    app_sid = models.CharField(max_length=64, blank=True, db_index=True)
    provider = models.CharField(max_length=64)
    model = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=40, default="ok", help_text="ok, or the error code")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "usage"
        indexes = [models.Index(fields=["session_id", "created_at"], name="inference_usage_session")]

    def __str__(self):
        return f"{self.kind} {self.provider}/{self.model} ({self.status})"


class PreviewAllowance(models.Model):
    """The owner's leave for a session's preview to call inference (the browser `@stage/inference`), on the owner's
    providers, within a token budget per hour. A preview is open to whoever holds the session id, so without this
    row it may not spend anything."""

    session = models.OneToOneField("stage.Session", on_delete=models.CASCADE, related_name="preview_inference")
    tokens_per_hour = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.session}: {self.tokens_per_hour} tokens/hour"
