from django.contrib import admin
from django.utils.html import format_html

from core.admin.display import badge, column, duration, ident, when
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
        column("public_id", "Id", ident),
        column("app", "App", ident),
        "workflow",
        "state",
        "caller",
        column("created_at", "When", when),
        column("duration_ms", "Took", duration),
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

    @admin.display(description="Status", ordering="status")
    def state(self, run):
        """The status, and a grey "dry run" beside it for a run that changed nothing outside."""
        return format_html("{} {}", badge(run.status), badge("dry run")) if run.dry_run else badge(run.status)
