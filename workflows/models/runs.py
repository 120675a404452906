from django.conf import settings
from django.db import models

from core.ids import new_prefixed_id


def new_run_id() -> str:
    return new_prefixed_id("run")


class Run(models.Model):
    """One execution of a workflow, pinned to the app version that was in production when it started."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    public_id = models.CharField(max_length=32, unique=True, default=new_run_id, editable=False)
    app = models.ForeignKey("stage.App", on_delete=models.CASCADE, related_name="workflow_runs")
    version = models.ForeignKey("stage.AppVersion", on_delete=models.PROTECT, related_name="workflow_runs")
    workflow = models.CharField(max_length=200)
    input = models.JSONField(default=dict, blank=True)
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workflow_runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    dry_run = models.BooleanField(default=False)
    is_async = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 (NULL: no key)
    # The HTTP answer of a finished run: {"status": int, "headers": {...}, "body": ...}.
    response = models.JSONField(null=True, blank=True)
    # Why a failed run stopped: {"code", "message", "step": {"index", "id", "block"}}.
    error = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["caller", "app", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="%(app_label)s_%(class)s_unique_idempotency_key",
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.public_id} ({self.workflow})"


class StepRun(models.Model):
    """One step of a run: the rendered configuration (secrets redacted), its output or error, its duration."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    index = models.PositiveIntegerField()
    step_id = models.CharField(max_length=100, blank=True)
    block = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices)
    config = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField()
    duration_ms = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="%(app_label)s_%(class)s_unique_index"),
        ]
        ordering = ["run", "index"]

    def __str__(self):
        return f"{self.run.public_id}#{self.index} {self.block}"
