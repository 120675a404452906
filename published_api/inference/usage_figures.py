"""Usage figures for the admin, each one aggregate query: a provider's calls, errors and latency over the last
24 hours (annotations on the providers' queryset, so a list of providers is one statement), and calls and tokens
per day."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Aggregate, Avg, Count, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from published_api.inference.models import Usage

WINDOW = timedelta(hours=24)


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont; other databases (SQLite, embedded mode) have none and answer NULL."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            return "NULL", []
        return super().as_sql(compiler, connection, **extra)


def _per_provider(aggregate, since):
    rows = Usage.objects.filter(provider=OuterRef("name"), created_at__gte=since).order_by().values("provider")
    return Subquery(rows.annotate(figure=aggregate).values("figure")[:1])


def with_recent_figures(providers: QuerySet, *, now=None) -> QuerySet:
    """Providers annotated with `calls_24h`, `errors_24h`, `latency_mean_24h` and `latency_p95_24h` (ms)."""
    since = (now or timezone.now()) - WINDOW
    return providers.annotate(
        calls_24h=Coalesce(_per_provider(Count("id"), since), 0),
        errors_24h=Coalesce(_per_provider(Count("id", filter=~Q(status="ok")), since), 0),
        latency_mean_24h=_per_provider(Avg("latency_ms"), since),
        latency_p95_24h=_per_provider(Percentile("latency_ms", fraction=0.95), since),
    )


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def usage_per_day(rows: QuerySet, *, first: date, last: date) -> list[dict]:
    """One entry per day from `first` to `last` (UTC): `{day, calls, tokens}`, zero where nothing was called."""
    rows = rows.filter(created_at__gte=start_of(first), created_at__lt=start_of(last + timedelta(days=1)))
    found = {
        row["day"]: row
        for row in rows.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(calls=Count("id"), tokens=Sum(F("input_tokens") + F("output_tokens"), default=0))
    }
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    return [
        {"day": day, "calls": found.get(day, {}).get("calls", 0), "tokens": found.get(day, {}).get("tokens", 0)}
        for day in days
    ]
