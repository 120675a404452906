"""The per-app document store behind @stage/compute's ctx.db: one JSONB row per document.

Rows name their app by sid (no foreign key): the store is written over its own PostgreSQL connections
from the bridge (see store.py), and an archived app's documents stay readable in the admin. The GIN index
(jsonb_path_ops) that serves equality filters is created by the migration, on PostgreSQL only.
"""

from django.db import models


class ComputeDocument(models.Model):
    app_sid = models.CharField(max_length=64)
    table = models.CharField(max_length=64)
    public_id = models.CharField(max_length=40, unique=True)
    doc = models.JSONField(default=dict)
    creation_time = models.FloatField(help_text="Epoch milliseconds (_creationTime).")

    class Meta:
        indexes = [
            models.Index(fields=["app_sid", "table", "id"], name="compute_doc_app_table"),
        ]

    def __str__(self):
        return f"{self.app_sid}/{self.table}/{self.public_id}"
