"""Admin for published apps: the main way staff manage apps. Actions call the same services as the API."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin.display import badge, column, when
from core.admin.readonly import ReadOnlyAdminMixin, RecordAdminMixin
from core.csp import DEFAULT_POLICY
from core.errors import StageError
from stage import selectors
from stage.admin.app_moves import MOVES, confirm_bulk, confirm_one
from stage.admin.app_panels import app_panels
from stage.models import App, AppVersion, Channel, ChannelMove
from stage.origins.names import app_url, preview_url, version_url
from stage.origins.preview_links import PARAM, preview_token_mint
from stage.selectors.served import version_is_public
from stage.services.published_apps import app_changes_clean, app_update

EDITABLE = ["name", "description", "config"]


def _session_links(session) -> str:
    url = reverse("admin:stage_session_change", args=[session.pk])
    return format_html(
        '<a href="{}">{}</a> · <a href="/s/{}" target="_blank">preview</a>', url, session.public_id, session.public_id
    )


def _link(url: str) -> str:
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


def _preview_link(origin: str, app_sid: str, *, seconds: int = 3600) -> str:
    """A link through a fresh signed token (an hour by default), for origins that are private."""
    token = preview_token_mint(app_sid=app_sid, expires_in=seconds)
    return format_html('<a href="{}/?{}={}" target="_blank" rel="noopener">{}</a>', origin, PARAM, token.value, origin)


def _pretty_json(value) -> str:
    if value is None:
        return "—"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


class AppForm(forms.ModelForm):
    from core.admin.json_field import JSONEditorField

    config = JSONEditorField(
        shape=None,  # app_changes_clean says what a config must be
        label="Config",
        help_text="A JSON object that workflows read as {{ config.x }}, e.g. "
        '{"sheetId": "1AbC...", "slackChannelId": "chn_..."}. Keys are the names the app\'s shift.workflows.json uses.',
    )

    class Meta:
        model = App
        fields = EDITABLE

    def clean(self):
        cleaned = super().clean()
        changes = {field: cleaned[field] for field in self.changed_data if field in cleaned}
        try:
            cleaned.update(app_changes_clean(changes))
        except StageError as exc:
            raise forms.ValidationError(exc.message) from exc
        return cleaned


class AppVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AppVersion
    fields = ["sid", "number", "serves", "file_count", "backend_entrypoint", "workflow_names", "created_by", "made"]
    readonly_fields = fields
    ordering = ["-number"]  # newest first
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Versions (open one for its file manifest)"

    def get_queryset(self, request):
        versions = super().get_queryset(request).select_related("created_by", "app")
        return versions.prefetch_related("app__channels").annotate(_file_count=Count("version_files"))

    @admin.display(description="Files")
    def file_count(self, obj):
        return obj._file_count

    @admin.display(description="Serves")
    def serves(self, obj):
        """Which channels point at this version: production and preview badges."""
        channels = [channel.name for channel in obj.app.channels.all() if channel.version_id == obj.pk]
        return format_html_join(" ", "{}", ((badge(name),) for name in sorted(channels))) or "—"

    @admin.display(description="Made", ordering="created_at")
    def made(self, obj):
        return when(obj.created_at)

    @admin.display(description="Workflows")
    def workflow_names(self, obj):
        workflows = (obj.workflows or {}).get("workflows")
        return ", ".join(sorted(workflows)) if isinstance(workflows, dict) and workflows else "—"


class ChannelMoveInline(RecordAdminMixin, admin.TabularInline):
    model = ChannelMove
    fields = ["moved", "channel", "from_version", "to_version", "moved_by", "reason", "note"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    extra = 0
    can_delete = False
    verbose_name_plural = "Channel history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_version", "to_version", "moved_by")

    @admin.display(description="When", ordering="created_at")
    def moved(self, obj):
        return when(obj.created_at)


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    form = AppForm
    list_display = [
        "sid",
        "name",
        "author",
        column("status", "Status", badge),
        "production",
        "preview",
        column("last_deployed_at", "Last deployed", when),
    ]  # sid: core/admin.css
    list_filter = ["status", "last_deployed_at"]
    search_fields = ["sid", "name", "author__email", "author__username"]
    readonly_fields = [
        "sid",
        "status",
        "author",
        "session_links",
        "app_urls",
        "production_ui",
        "channels",
        "activity",
        "repository_json",
        "created_at",
        "updated_at",
        "last_deployed_at",
    ]
    fieldsets = [
        (None, {"fields": ["sid", "name", "description", "status", "author", "session_links"]}),
        ("Channels", {"fields": ["app_urls", "channels", "last_deployed_at", "production_ui"]}),
        ("Activity", {"fields": ["activity"]}),
        ("Configuration", {"fields": ["config", "repository_json", "created_at", "updated_at"]}),
    ]
    inlines = [AppVersionInline, ChannelMoveInline]
    actions = ["archive", "unarchive", "promote", "rollback", "preview_links"]
    show_full_result_count = False

    def get_queryset(self, request):
        channels = Prefetch("channels", queryset=Channel.objects.select_related("version"))
        return super().get_queryset(request).select_related("author", "session").prefetch_related(channels)

    def has_add_permission(self, request):
        return False  # apps are published from a session, through the API

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead: versions and history are kept

    def _channel(self, obj: App, name: str) -> str:
        channel = next((c for c in obj.channels.all() if c.name == name), None)
        return f"v{channel.version.number}" if channel else "—"

    @admin.display(description="Production")
    def production(self, obj):
        return self._channel(obj, Channel.Name.PRODUCTION)

    @admin.display(description="Preview")
    def preview(self, obj):
        return self._channel(obj, Channel.Name.PREVIEW)

    @admin.display(description="Channels")
    def channels(self, obj):
        rows = ((badge(c.name), c.version.number, c.version.sid, when(c.updated_at)) for c in obj.channels.all())
        return format_html_join(mark_safe("<br>"), "{} v{} ({}), since {}", rows)

    @admin.display(description="Session")
    def session_links(self, obj):
        return _session_links(obj.session)

    @admin.display(description="URLs")
    def app_urls(self, obj):
        return format_html(
            "production: {}<br>preview: {} (opened through a one-hour preview link)",
            _link(app_url(obj.sid)),
            _preview_link(preview_url(obj.sid), obj.sid),
        )

    @admin.display(description="Production UI")
    def production_ui(self, obj):
        """The production UI as visitors see it, live, from the app's own origin (never the admin's)."""
        if obj.status == App.Status.ARCHIVED:
            return "— (archived)"
        production = next((c.version for c in obj.channels.all() if c.name == Channel.Name.PRODUCTION), None)
        if production is None or production.ui_status == AppVersion.UiStatus.NONE:
            return "— (production has no UI)"
        return format_html(
            '<iframe src="{}/" title="Production UI of {}" loading="lazy" '
            'sandbox="allow-scripts allow-forms allow-same-origin" '
            'style="width:100%;max-width:960px;height:420px;border:1px solid #ccc;border-radius:4px"></iframe>',
            app_url(obj.sid),
            obj.sid,
        )

    @admin.display(description="Recent activity")
    def activity(self, obj):
        return app_panels(obj)

    @admin.display(description="Repository")
    def repository_json(self, obj):
        return _pretty_json(obj.repository)

    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        app_update(app=obj, changes=changes)

    def get_urls(self):
        move = path(
            "<path:object_id>/move/<str:name>/", self.admin_site.admin_view(self.move_view), name="stage_app_move"
        )
        return [move, *super().get_urls()]

    def move_view(self, request, object_id: str, name: str):
        """Promote, roll back, archive or unarchive one app, through its confirmation page."""
        if name not in MOVES or not self.has_change_permission(request):
            raise PermissionDenied
        app = get_object_or_404(App, pk=object_id)
        answer = confirm_one(self, request, app, MOVES[name])
        return answer or redirect("admin:stage_app_change", app.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        app = self.get_object(request, object_id)
        names = ["unarchive"] if app and app.status == App.Status.ARCHIVED else ["promote", "rollback", "archive"]
        moves = [(name, MOVES[name].title) for name in names]
        response = super().change_view(request, object_id, form_url, {**(extra_context or {}), "moves": moves})
        if app is not None:  # the page frames the production UI, which lives on the app's own origin
            response["Content-Security-Policy"] = f"{DEFAULT_POLICY}; frame-src 'self' {app_url(app.sid)}"
        return response

    @admin.action(description="Archive selected apps…")
    def archive(self, request, queryset):
        return confirm_bulk(self, request, queryset, MOVES["archive"])

    @admin.action(description="Unarchive selected apps…")
    def unarchive(self, request, queryset):
        return confirm_bulk(self, request, queryset, MOVES["unarchive"])

    @admin.action(description="Promote preview to production…")
    def promote(self, request, queryset):
        return confirm_bulk(self, request, queryset, MOVES["promote"])

    @admin.action(description="Roll back production…")
    def rollback(self, request, queryset):
        return confirm_bulk(self, request, queryset, MOVES["rollback"])

    @admin.action(description="Create preview links (valid a day)")
    def preview_links(self, request, queryset):
        for app in queryset:
            link = _preview_link(preview_url(app.sid), app.sid, seconds=24 * 3600)
            self.message_user(request, format_html("Preview of {}: {}", app.sid, link), messages.SUCCESS)


@admin.register(AppVersion)
class AppVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sid", "app", "number", "created_by", column("created_at", "Made", when)]
    search_fields = ["=sid", "=app__sid", "app__name"]
    list_select_related = ["app", "app__session", "created_by"]
    fields = [
        "sid",
        "app",
        "number",
        "version_link",
        "ui_summary",
        "session_links",
        "created_by",
        "created_at",
        "backend_entrypoint",
        "compute_modules",
        "workflows_json",
        "manifest",
    ]
    readonly_fields = fields
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Session")
    def session_links(self, obj):
        url = reverse("admin:stage_session_change", args=[obj.app.session.pk])
        return format_html('<a href="{}">{}</a>', url, obj.app.session.public_id)

    @admin.display(description="This version's URL")
    def version_link(self, obj):
        """The version's own origin, which always serves it (not the session's latest render)."""
        url = version_url(obj.app.sid, obj.number)
        if version_is_public(version=obj):
            return _link(url)
        link = _preview_link(url, obj.app.sid)
        return format_html("{} (never in production: opened through a one-hour preview link)", link)

    @admin.display(description="UI")
    def ui_summary(self, obj):
        if obj.ui_status == AppVersion.UiStatus.NONE:
            return f"none ({obj.app.ui_entry} is not among its files)"
        detail = format_html("<pre>{}</pre>", obj.ui_error) if obj.ui_error else ""
        return format_html("{} from {}{}", obj.ui_status, obj.ui_entry, detail)

    @admin.display(description="shift.workflows.json")
    def workflows_json(self, obj):
        return _pretty_json(obj.workflows)

    @admin.display(description="Files")
    def manifest(self, obj):
        rows = selectors.version_manifest(version=obj)
        if not rows:
            return "—"
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>v{}</td><td>{} bytes</td></tr>",
            ((r["path"], r["version"], r["size"]) for r in rows),
        )
        return format_html("<table><tr><th>Path</th><th>File version</th><th>Size</th></tr>{}</table>", body)
