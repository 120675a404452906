"""Admin for sessions and what lives in them: files, renders, snapshots."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from core.admin.display import badge, column, duration, ident, when
from core.admin.json_field import LinesField
from core.admin.readonly import PartAdminMixin, ReadOnlyAdminMixin
from stage.models import CurrentFile, FileVersion, Render, Session, Snapshot
from stage.services.scopes import _OPENID_SCOPES, _SCOPE_URL, MAX_SCOPES


def _scope_problem(scope: str) -> str | None:
    """The rule google_scopes_set applies, one scope at a time."""
    if _SCOPE_URL.match(scope) or scope in _OPENID_SCOPES:
        return None
    return "not a Google OAuth scope (expected https://www.googleapis.com/auth/..., or openid, email, profile)"


class SessionForm(forms.ModelForm):
    google_scopes = LinesField(
        check=_scope_problem,
        max_items=MAX_SCOPES,
        max_length=300,
        label="Google scopes",
        help_text="One scope a line, e.g. https://www.googleapis.com/auth/spreadsheets (the Sheets steps need it).",
    )

    class Meta:
        model = Session
        fields = ["name", "owner", "google_scopes"]


class CurrentFileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CurrentFile
    fields = ["path", "version", "size", "history"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Latest files"

    @admin.display(description="History")
    def history(self, obj):
        url = reverse("admin:stage_fileversion_changelist")
        return format_html('<a href="{}?session__id__exact={}&path={}">all versions</a>', url, obj.session_id, obj.path)


class RenderInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Render
    fields = ["version", "entry", "status", "error", "created_at", "rendered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


def _render_badge(render: Render):
    """A render's state as people see it: a built render whose app then threw is a "runtime error"."""
    return badge("runtime error" if render.status == Render.Status.READY and render.error else render.status)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        column("public_id", "Id", ident),
        "name",
        "owner",
        "file_count",
        "render_state",
        column("created_at", "Created", when),
        column("last_accessed_at", "Last used", when),
    ]
    list_filter = ["created_at"]
    search_fields = ["public_id", "name", "owner__username", "owner__email"]
    readonly_fields = ["public_id", "render_counter", "created_at", "last_accessed_at", "preview"]
    fields = [
        "public_id",
        "name",
        "owner",
        "google_scopes",
        "render_counter",
        "created_at",
        "last_accessed_at",
        "preview",
    ]
    raw_id_fields = ["owner"]
    form = SessionForm
    inlines = [CurrentFileInline, RenderInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner").annotate(_file_count=Count("current_files"))

    @admin.display(description="Files", ordering="_file_count")
    def file_count(self, obj):
        return obj._file_count

    @admin.display(description="Render")
    def render_state(self, obj):
        render = obj.renders.order_by("-version").first()
        if render is None:
            return "—"
        return format_html("v{} {}", render.version, _render_badge(render))

    @admin.display(description="Preview")
    def preview(self, obj):
        return format_html('<a href="/s/{0}" target="_blank">/s/{0}</a>', obj.public_id) if obj.pk else "—"


@admin.register(FileVersion)
class FileVersionAdmin(PartAdminMixin, admin.ModelAdmin):
    list_display = ["path", "version", "size", column("session", "Session", ident), column("created_at", "Made", when)]
    list_filter = ["created_at"]
    search_fields = ["=session__public_id", "path"]
    list_select_related = ["session"]
    fields = ["session", "path", "version", "size", "created_at", "content"]
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")


@admin.register(Render)
class RenderAdmin(PartAdminMixin, admin.ModelAdmin):
    list_display = [
        column("session", "Session", ident),
        "version",
        "entry",
        "state",
        column("build_ms", "Build", duration),
        column("created_at", "Requested", when),
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["=session__public_id", "entry"]
    list_select_related = ["session"]
    readonly_fields = ["session", "version", "entry", "status", "error", "created_at", "rendered_at"]
    show_full_result_count = False

    @admin.display(description="Status", ordering="status")
    def state(self, render):
        return _render_badge(render)


@admin.register(Snapshot)
class SnapshotAdmin(PartAdminMixin, admin.ModelAdmin):
    list_display = [
        column("public_id", "Id", ident),
        "name",
        column("session", "Session", ident),
        "file_count",
        column("created_at", "Made", when),
    ]
    search_fields = ["=public_id", "name", "=session__public_id"]
    list_select_related = ["session"]
    readonly_fields = ["public_id", "name", "session", "created_at"]
    exclude = ["files"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_file_count=Count("files"))

    @admin.display(description="Files", ordering="_file_count")
    def file_count(self, obj):
        return obj._file_count
