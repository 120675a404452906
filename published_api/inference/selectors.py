"""Usage totals for one session: all calls, and per provider, model and kind."""

from datetime import UTC, datetime

from django.db.models import Count, Q, Sum

from published_api.inference.models import Usage


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def usage_summary(*, session_id: str, provider: str | None = None, since=None, until=None) -> dict:
    rows = Usage.objects.filter(session_id=session_id)
    if provider:
        rows = rows.filter(provider=provider)
    if since is not None:
        rows = rows.filter(created_at__gte=_when(since))
    if until is not None:
        rows = rows.filter(created_at__lt=_when(until))
    sums = {
        "calls": Count("id"),
        "errors": Count("id", filter=~Q(status="ok")),
        "input_tokens": Sum("input_tokens", default=0),
        "output_tokens": Sum("output_tokens", default=0),
    }
    per_model = rows.values("provider", "model", "kind").annotate(**sums).order_by("provider", "model", "kind")
    return {"totals": rows.aggregate(**sums), "by_model": list(per_model)}
