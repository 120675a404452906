from django.db import models


class SharedLibrary(models.Model):
    """The libraries every app shares (React, Radix, recharts, the shadcn/ui modules), built once per builder
    version: apps' bundles read them from this script, which browsers fetch once and keep."""

    fingerprint = models.CharField(max_length=64, unique=True, help_text="The builder version it was built by.")
    js = models.TextField()
    exports = models.JSONField(help_text="Each shared module's export names, for the apps' builds.")
    size = models.PositiveIntegerField(help_text="Bytes of JS.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "shared libraries"

    def __str__(self):
        return self.fingerprint[:12]


class RenderArtifact(models.Model):
    """A built bundle, keyed by the hash of everything that went into it, so unchanged files never rebuild."""

    content_hash = models.CharField(max_length=64, unique=True)
    js = models.TextField()
    css = models.TextField(blank=True)
    size = models.PositiveIntegerField(help_text="Bytes of JS plus CSS.")
    shared = models.CharField(
        max_length=64, blank=True, default="", help_text="The shared libraries it runs on (empty: self-contained)."
    )
    source_map = models.TextField(blank=True, help_text="The bundle's source map (JSON), for runtime errors.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.content_hash[:12]


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
    # Where a build error points, when it points somewhere: [{file, line, column, message}, ...].
    error_locations = models.JSONField(null=True, blank=True)
    artifact = models.ForeignKey(
        RenderArtifact, null=True, blank=True, on_delete=models.PROTECT, related_name="renders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    build_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Task start to stored artifact.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "version"], name="%(app_label)s_%(class)s_unique_version"),
        ]
        ordering = ["-version"]

    def __str__(self):
        return f"{self.session} render v{self.version}"
