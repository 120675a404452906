"""Staff manage inference providers (keys stored encrypted or read from a named variable) and read usage."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Sum

from core.admin.readonly import RecordAdminMixin
from published_api.inference.models import Provider, Usage
from published_api.inference.secrets import encrypt


class ProviderForm(forms.ModelForm):
    base_url = forms.URLField(
        max_length=500, assume_scheme="https", help_text=Provider._meta.get_field("base_url").help_text
    )
    api_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; leave empty to keep the current key. Ignored when a variable name is set.",
    )

    class Meta:
        model = Provider
        fields = ("name", "base_url", "api_key_env", "api_key", "default_model", "allowed_models", "enabled")

    def save(self, commit=True):
        provider = super().save(commit=False)
        if self.cleaned_data.get("api_key"):
            provider.api_key_encrypted = encrypt(self.cleaned_data["api_key"])
        if commit:
            provider.save()
        return provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ("name", "base_url", "default_model", "enabled", "key_source")

    @admin.display(description="API key")
    def key_source(self, obj):
        if obj.api_key_env:
            return f"${obj.api_key_env}"
        return "stored (encrypted)" if obj.api_key_encrypted else "none"


@admin.register(Usage)
class UsageAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "app_sid", "session_id", "provider", "model", "kind", "input_tokens",
                    "output_tokens", "latency_ms", "status")  # fmt: skip
    list_filter = ("provider", "kind", "status", "app_sid")
    search_fields = ("=app_sid", "=session_id", "model")
    date_hierarchy = "created_at"
    change_list_template = "admin/inference/usage/change_list.html"

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
