from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination

from core.errors import ValidationFailed


class NewestFirstPagination(CursorPagination):
    """Cursor pages of a list, newest first: {"results", "next", "previous"}; `?limit=` up to 200."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200

    def get_page_size(self, request):
        """A malformed limit is a 400, not silently the default."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationFailed(
                "limit must be a positive integer", details={"limit": ["Expected a positive integer."]}
            )
        return min(int(raw), self.max_page_size)


def page_of(name: str, item_serializer) -> serializers.Serializer:
    """The OpenAPI shape of one NewestFirstPagination page of `item_serializer` items."""
    return inline_serializer(
        name,
        fields={
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item_serializer(many=True),
        },
    )
