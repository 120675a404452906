from django.db import models

from core.ids import new_prefixed_id


def new_snapshot_id() -> str:
    return new_prefixed_id("snap")


class Snapshot(models.Model):
    """A named point in a session's history. It references file versions; it copies no content."""

    public_id = models.CharField(max_length=32, unique=True, default=new_snapshot_id, editable=False)
    session = models.ForeignKey("stage.Session", on_delete=models.CASCADE, related_name="snapshots")
    name = models.CharField(max_length=200, blank=True)
    files = models.ManyToManyField("stage.FileVersion", related_name="snapshots")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.public_id
