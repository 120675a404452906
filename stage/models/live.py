from django.db import models


class SessionValue(models.Model):
    """One key of a session's key-value store (`@stage/kv` in its app): a JSON value, written from its preview."""

    session = models.ForeignKey("stage.Session", on_delete=models.CASCADE, related_name="values")
    key = models.CharField(max_length=256)
    value = models.JSONField(null=True)
    size = models.PositiveIntegerField(help_text="Bytes of the value as JSON.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "key"], name="session_value_key_unique")]
        ordering = ["key"]

    def __str__(self):
        return self.key


class SessionMessage(models.Model):
    """A message of a session's chat (`messages` and `sendMessage` of `@stage/convex`): its app's users, the
    agent through the Convex endpoint."""

    session = models.ForeignKey("stage.Session", on_delete=models.CASCADE, related_name="messages")
    text = models.TextField()
    sender = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.sender}: {self.text[:40]}"
