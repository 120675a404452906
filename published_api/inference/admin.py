"""Staff manage inference providers (keys stored encrypted or read from a named variable, the last 24 hours' calls,
errors and latency, a connection test) and read usage (a table, and calls and tokens per day as a chart)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from core.admin.display import BAD, badge, column, duration, ident, when
from core.admin.json_field import LinesField
from core.admin.readonly import RecordAdminMixin
from published_api.inference.connection import provider_connection_test
from published_api.inference.models import Provider, Usage
from published_api.inference.secrets import encrypt
from published_api.inference.usage_chart_page import usage_chart_view
from published_api.inference.usage_figures import with_recent_figures


class ProviderForm(forms.ModelForm):
    base_url = forms.URLField(
        max_length=500, assume_scheme="https", help_text=Provider._meta.get_field("base_url").help_text
    )
    api_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; leave empty to keep the current key. Ignored when a variable name is set.",
    )
    allowed_models = LinesField(
        label="Allowed models",
        help_text="One model id a line (e.g. gpt-4o-mini); a call naming another model is refused. "
        "Leave empty to allow any model.",
    )

    class Meta:
        model = Provider
        fields = ("name", "base_url", "api_key_env", "api_key", "default_model", "allowed_models", "enabled")

    def clean(self):
        cleaned = super().clean()
        allowed, default = cleaned.get("allowed_models"), cleaned.get("default_model")
        if allowed and default and default not in allowed:
            self.add_error(
                "allowed_models",
                f"The default model {default} is not in the list: add it, or calls that name no model are refused.",
            )
        return cleaned

    def save(self, commit=True):
        provider = super().save(commit=False)
        if self.cleaned_data.get("api_key"):
            provider.api_key_encrypted = encrypt(self.cleaned_data["api_key"])
        if commit:
            provider.save()
        return provider


def _latency(provider) -> str:
    if provider.latency_mean_24h is None:
        return "—"
    p95 = provider.latency_p95_24h
    return f"{duration(provider.latency_mean_24h)} mean" + (f", p95 {duration(p95)}" if p95 is not None else "")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ("name", "base_url", "default_model", "enabled", "key_source", "calls", "errors", "latency")
    readonly_fields = ("last_24_hours",)
    actions = ["test_connection"]
    change_form_template = "admin/inference/provider/change_form.html"

    def get_queryset(self, request):
        return with_recent_figures(super().get_queryset(request))

    @admin.display(description="API key")
    def key_source(self, obj):
        if obj.api_key_env:
            return f"${obj.api_key_env}"
        return "stored (encrypted)" if obj.api_key_encrypted else "none"

    @admin.display(description="Calls (24 h)", ordering="calls_24h")
    def calls(self, obj):
        return obj.calls_24h

    @admin.display(description="Errors (24 h)", ordering="errors_24h")
    def errors(self, obj):
        return format_html('<strong style="color:{}">{}</strong>', BAD, obj.errors_24h) if obj.errors_24h else 0

    @admin.display(description="Latency (24 h)", ordering="latency_mean_24h")
    def latency(self, obj):
        return _latency(obj)

    @admin.display(description="Last 24 hours")
    def last_24_hours(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return f"{obj.calls_24h} calls, {obj.errors_24h} errors; latency {_latency(obj)}"

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.test_connection_view))
        return [path("<int:pk>/test-connection/", view, name="inference_provider_test_connection"), *super().get_urls()]

    def _report(self, request, provider):
        result = provider_connection_test(provider=provider)
        self.message_user(request, result.summary, messages.SUCCESS if result.ok else messages.ERROR)

    def test_connection_view(self, request, pk):
        provider = get_object_or_404(Provider, pk=pk)
        if not self.has_change_permission(request, provider):
            raise PermissionDenied
        self._report(request, provider)
        return redirect("admin:inference_provider_change", pk)

    @admin.action(description="Test connection (one small real call each)")
    def test_connection(self, request, queryset):
        for provider in queryset:
            self._report(request, provider)


@admin.register(Usage)
class UsageAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = (column("created_at", "When", when), column("app_sid", "App", ident),
                    column("session_id", "Session", ident), "provider", "model", "kind",
                    column("input_tokens", "In"), column("output_tokens", "Out"),
                    column("latency_ms", "Latency", duration), column("status", "Status", badge))  # fmt: skip
    list_filter = ("provider", "kind", "status", "app_sid", "model")
    search_fields = ("=app_sid", "=session_id", "model")
    date_hierarchy = "created_at"
    change_list_template = "admin/inference/usage/change_list.html"

    def get_urls(self):
        chart = self.admin_site.admin_view(self.chart_view)
        return [path("chart/", chart, name="inference_usage_chart"), *super().get_urls()]

    def chart_view(self, request):
        return usage_chart_view(self, request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context=extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["usage_by_app"] = (
                changelist.queryset.order_by()
                .values("app_sid", "provider")
                .annotate(calls=Count("id"), input=Sum("input_tokens"), output=Sum("output_tokens"))
                .order_by("app_sid", "provider")[:200]
            )
        return response
