from django.contrib import admin

from core.admin.display import badge, duration, when
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
    list_display = ["public_id", "app", "workflow", "state", "dry_run", "caller", "started", "took"]
    list_filter = ["status", "workflow", "dry_run", ("app", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["public_id", "app__sid", "workflow", "caller__email", "idempotency_key"]
    list_select_related = ["app", "caller"]
    readonly_fields = [
        "public_id", "app", "version", "workflow", "caller", "status", "dry_run", "is_async", "idempotency_key",
        "input", "response", "error", "created_at", "started_at", "finished_at", "duration_ms",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [StepRunInline]

    @admin.display(description="Status", ordering="status")
    def state(self, run):
        return badge(run.status)

    @admin.display(description="Started", ordering="created_at")
    def started(self, run):
        return when(run.created_at)

    @admin.display(description="Took", ordering="duration_ms")
    def took(self, run):
        return duration(run.duration_ms)
