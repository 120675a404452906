"""The app page's inference panel in the admin: usage per day over the last week (stage/admin/app_panels.py)."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from published_api.inference.models import Usage
from stage.admin.app_panels import Panel

DAYS = 7


def _usage(app, limit: int) -> list[tuple]:
    since = timezone.now() - timedelta(days=DAYS)
    days = (
        Usage.objects.filter(app_sid=app.sid, created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            calls=Count("id"),
            errors=Count("id", filter=~Q(status="ok")),
            tokens=Sum("input_tokens") + Sum("output_tokens"),
        )
        .order_by("-day")
    )
    return [(str(day["day"]), day["calls"], day["errors"], day["tokens"] or 0) for day in days[:DAYS]]


PANEL = Panel(
    f"Inference usage, last {DAYS} days",
    ("Day", "Calls", "Errors", "Tokens"),
    _usage,
    lambda app: reverse("admin:inference_usage_changelist") + f"?app_sid={app.sid}",
)
