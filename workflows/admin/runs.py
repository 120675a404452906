from django.contrib import admin

from workflows.admin.readonly import RecordAdminMixin
from workflows.models import Run, StepRun


class StepRunInline(RecordAdminMixin, admin.TabularInline):
    model = StepRun
    fields = ["index", "step_id", "block", "status", "config", "output", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Run)
class RunAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "app",
        "workflow",
        "status",
        "dry_run",
        "is_async",
        "caller",
        "created_at",
        "duration_ms",
    ]
    list_filter = ["status", "workflow", "dry_run", ("app", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["public_id", "app__sid", "workflow", "caller__email", "idempotency_key"]
    list_select_related = ["app", "caller"]
    readonly_fields = [
        "public_id", "app", "version", "workflow", "caller", "status", "dry_run", "is_async", "idempotency_key",
        "input", "response", "error", "created_at", "started_at", "finished_at", "duration_ms",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [StepRunInline]
