from django.contrib import admin

from core.admin.readonly import ReadOnlyAdminMixin
from core.models import UnsentTask


@admin.register(UnsentTask)
class UnsentTaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Sends the broker refused, waiting for a worker: a growing list means workers cannot reach Redis either."""

    list_display = ["task", "args", "created_at"]
    list_filter = ["task"]
