from django.db import models


class Render(models.Model):
    """One requested render of a session: an entry point at a render version, and how its build went."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        BUILDING = "building"
        READY = "ready"
        FAILED = "failed"

    session = models.ForeignKey("stage.Session", on_delete=models.CASCADE, related_name="renders")
    version = models.PositiveIntegerField()
    entry = models.CharField(max_length=1024)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(null=True, blank=True)  # noqa: DJ001  (the spec tells null, no error, from text)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "version"], name="%(app_label)s_%(class)s_unique_version"),
        ]
        ordering = ["-version"]

    def __str__(self):
        return f"{self.session} render v{self.version}"
