"""The admin index's dashboard: what happened in the last day, at a glance, with links to the lists.

Each part of Stage registers its own figures from its AppConfig.ready() (renders from stage, runs and deliveries
from workflows, inference errors from inference), so the kernel names none of them. A figure counts everything
in the window and what failed in it; each count links to its changelist filtered the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Figure:
    label: str  # "Renders"
    rows: Callable[[datetime], QuerySet]  # everything since the moment
    failed: Q  # which of those failed
    changelist: str  # admin URL name
    since_filter: str  # the changelist's query parameter for "created since"
    failed_filter: str  # the changelist's query string for the failed ones


_figures: list[Figure] = []


def register_dashboard_figure(figure: Figure) -> None:
    _figures.append(figure)


def failures_figure(label: str, model, *, since_field: str, changelist: str) -> Figure:
    """A figure for a model with a `status` that is "failed" when it failed, counted since its `since_field`."""
    return Figure(
        label,
        lambda since: model.objects.filter(**{f"{since_field}__gte": since}),
        Q(status="failed"),
        changelist,
        f"{since_field}__gte",
        "status__exact=failed",
    )


def dashboard() -> list[dict]:
    """Every registered figure over the last day: total, failed, and the links to both."""
    since = timezone.now() - WINDOW
    shown = []
    for figure in _figures:
        counts = figure.rows(since).aggregate(total=Count("pk"), failed=Count("pk", filter=figure.failed))
        base = (
            f"{reverse(figure.changelist)}?{urlencode({figure.since_filter: since.replace(microsecond=0).isoformat()})}"
        )
        shown.append({**counts, "label": figure.label, "url": base, "failed_url": f"{base}&{figure.failed_filter}"})
    return shown
