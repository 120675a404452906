from django.db import models


class FileVersion(models.Model):
    """One immutable version of one path in a session. Versions per path run 1, 2, 3, ... with no gaps."""

    session = models.ForeignKey("stage.Session", on_delete=models.CASCADE, related_name="file_versions")
    path = models.CharField(max_length=1024)
    version = models.PositiveIntegerField()
    content = models.TextField()
    size = models.PositiveIntegerField(help_text="Bytes of the UTF-8 content.")
    sha256 = models.CharField(max_length=64, help_text="Of the content: a push of the same content is no change.")
    encoding = models.CharField(
        max_length=8,
        choices=[("utf-8", "UTF-8 text"), ("base64", "Binary, base64")],
        default="utf-8",
        help_text="base64: a binary file (an image, a font) kept as base64 text; size counts its bytes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "path", "version"], name="%(app_label)s_%(class)s_unique_version"
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="%(app_label)s_%(class)s_version_positive"),
        ]
        ordering = ["path", "-version"]

    def __str__(self):
        return f"{self.path} v{self.version}"


class CurrentFile(models.Model):
    """The index of each path's latest version, so status never scans history."""

    session = models.ForeignKey("stage.Session", on_delete=models.CASCADE, related_name="current_files")
    path = models.CharField(max_length=1024)
    version = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    file_version = models.OneToOneField(FileVersion, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "path"], name="%(app_label)s_%(class)s_unique_path"),
        ]
        ordering = ["path"]

    def __str__(self):
        return f"{self.path} v{self.version}"
