"""The admin's usage-over-time page: calls and tokens per day for the last N days, narrowed by app, provider and
model, drawn as two server-side SVG bar charts."""

from datetime import timedelta

from django import forms
from django.template.response import TemplateResponse
from django.utils import timezone

from core.admin.display import GOOD, WAITING
from published_api.inference.models import Usage
from published_api.inference.usage_chart import bar_chart
from published_api.inference.usage_figures import start_of, usage_per_day

PERIODS = {7: "7 days", 30: "30 days", 90: "90 days"}
DEFAULT_PERIOD = 30
FILTERS = {"app": "app_sid", "provider": "provider", "model": "model"}


def period_of(data) -> int:
    """The days asked for, if they are one of the periods offered; else the default."""
    days = data.get("days", "")
    return int(days) if days.isdigit() and int(days) in PERIODS else DEFAULT_PERIOD


class ChartFilters(forms.Form):
    """What the chart covers. The choices are what was called in the period (plus whatever was asked for)."""

    days = forms.TypedChoiceField(choices=PERIODS.items(), coerce=int, required=False)
    app = forms.ChoiceField(required=False, help_text="Calls made over REST belong to no app.")
    provider = forms.ChoiceField(required=False)
    model = forms.ChoiceField(required=False)

    def __init__(self, data, *, rows):
        super().__init__(data)
        for name, column in FILTERS.items():
            seen = set(rows.order_by().values_list(column, flat=True).distinct()) - {""}
            asked = {data[name]} if data.get(name) else set()
            self.fields[name].choices = [("", "any"), *((value, value) for value in sorted(seen | asked))]

    def narrow(self, rows):
        for name, column in FILTERS.items():
            if self.cleaned_data.get(name):
                rows = rows.filter(**{column: self.cleaned_data[name]})
        return rows


def usage_chart_view(model_admin, request):
    days = period_of(request.GET)
    last = timezone.now().date()
    first = last - timedelta(days=days - 1)
    in_period = Usage.objects.filter(created_at__gte=start_of(first))
    form = ChartFilters({**request.GET.dict(), "days": days}, rows=in_period)
    rows = form.narrow(Usage.objects.all()) if form.is_valid() else Usage.objects.all()
    series = usage_per_day(rows, first=first, last=last)
    calls = [(entry["day"], entry["calls"]) for entry in series]
    tokens = [(entry["day"], entry["tokens"]) for entry in series]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Inference usage over time",
        "form": form,
        "first": first,
        "last": last,
        "total_calls": sum(value for _, value in calls),
        "total_tokens": sum(value for _, value in tokens),
        "calls_chart": bar_chart(calls, title="Calls per day", unit="calls", colour=GOOD),
        "tokens_chart": bar_chart(tokens, title="Tokens per day", unit="tokens", colour=WAITING),
    }
    return TemplateResponse(request, "admin/inference/usage/chart.html", context)
