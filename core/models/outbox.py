from django.db import models


class UnsentTask(models.Model):
    """A task send the broker refused: kept here until a worker sends it (core.outbox.send_unsent).

    The web process writes this row when Redis is unreachable from it; workers, which may still reach Redis,
    sweep the table every `STAGE_UNSENT_SWEEP_SECONDS`, so work is not held up until Redis is back for the web.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "stage_unsenttask"  # made before the kernel was an app of its own; the table stayed
        ordering = ["id"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)!r}"
