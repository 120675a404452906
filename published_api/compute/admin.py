"""Staff's read-only view of each app's compute documents: filter by app and table, search by id."""

import json

from django.contrib import admin
from django.utils.html import format_html

from core.admin.readonly import ReadOnlyAdminMixin
from published_api.compute.models import ComputeDocument


@admin.register(ComputeDocument)
class ComputeDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "app_sid", "table", "creation_time")
    list_filter = ("app_sid", "table")
    search_fields = ("=public_id", "=app_sid", "table")
    readonly_fields = ("public_id", "app_sid", "table", "creation_time", "document")
    exclude = ("doc",)
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Document")
    def document(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.doc, indent=2, ensure_ascii=False))
