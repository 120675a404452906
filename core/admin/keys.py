from django.contrib import admin, messages

from core.admin.display import column, when
from core.keys import apikey_create, apikey_revoke
from core.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "prefix",
        "name",
        "user",
        column("created_at", "Made", when),
        column("last_used_at", "Last used", when),
        column("revoked_at", "Revoked", when),
    ]
    list_filter = ["revoked_at", "created_at"]
    search_fields = ["prefix", "name", "user__username", "user__email"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return (
            ["user", "name"] if obj is None else ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        )

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        api_key, raw_key = apikey_create(user=obj.user, name=obj.name)
        obj.pk = api_key.pk
        self.message_user(
            request,
            f"New API key for {api_key.user}: {raw_key} (copy it now: it is shown only this once).",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            apikey_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)
