"""What the billing, pulse and ledger blocks write. Each row remembers the run step that made it."""

from django.db import models
from django.utils import timezone

from core.ids import new_prefixed_id


def new_billing_id() -> str:
    return new_prefixed_id("bill")


class StepOrigin(models.Model):
    """The run and step that wrote a row: unique, so a resumed or repeated run never writes twice."""

    app = models.ForeignKey("stage.App", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey("workflows.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    step_index = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["run", "step_index"], name="%(app_label)s_%(class)s_unique_step"),
        ]
        ordering = ["-created_at", "-id"]


class BillingItem(StepOrigin):
    public_id = models.CharField(max_length=32, unique=True, default=new_billing_id, editable=False)
    customer_email = models.EmailField()
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="usd")
    description = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta(StepOrigin.Meta):
        pass

    def __str__(self):
        return f"{self.public_id} {self.amount_cents} {self.currency}"


class PulseEvent(StepOrigin):
    event = models.CharField(max_length=200, db_index=True)
    properties = models.JSONField(default=dict, blank=True)
    distinct_id = models.CharField(max_length=200, blank=True)

    class Meta(StepOrigin.Meta):
        pass

    def __str__(self):
        return self.event


class LedgerEvent(StepOrigin):
    """An append-only audit event. `hash` chains it to the previous event of the same app."""

    class Operation(models.TextChoices):
        READ = "read"
        WRITE = "write"
        TRANSFORM = "transform"
        DELETE = "delete"
        SHARE = "share"
        EXPORT = "export"

    seq = models.PositiveBigIntegerField()
    operation = models.CharField(max_length=16, choices=Operation.choices)
    actor = models.CharField(max_length=200, blank=True)
    resource = models.CharField(max_length=500, blank=True)
    data_refs = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=32, default="success")
    meta = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Set before the INSERT (not auto_now_add) because the hash covers it.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta(StepOrigin.Meta):
        ordering = ["app", "seq"]
        constraints = [
            *StepOrigin.Meta.constraints,
            models.UniqueConstraint(fields=["app", "seq"], name="%(app_label)s_%(class)s_unique_seq"),
        ]

    def __str__(self):
        return f"{self.app_id}#{self.seq} {self.operation}"


class LedgerHead(models.Model):
    """The newest event of an app's chain: the row appends lock, and what reveals a deleted tail."""

    app = models.OneToOneField("stage.App", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"{self.app_id}@{self.seq}"
