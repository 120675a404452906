"""The app page's workflow panels in the admin: its recent runs and messages (stage/admin/app_panels.py)."""

from django.urls import reverse
from django.utils.html import format_html

from core.admin.display import badge, duration, when
from stage.admin.app_panels import Panel
from workflows.models import Message, Run


def _change_link(name: str, pk: int, text: str) -> str:
    return format_html('<a href="{}">{}</a>', reverse(f"admin:workflows_{name}_change", args=[pk]), text)


def _runs(app, limit: int) -> list[tuple]:
    runs = Run.objects.filter(app=app).select_related("version").order_by("-created_at", "-id")[:limit]
    return [
        (
            _change_link("run", run.pk, run.public_id),
            run.workflow,
            f"v{run.version.number}",
            badge(run.status),
            "dry run" if run.dry_run else "",
            duration(run.duration_ms),
            when(run.created_at),
        )
        for run in runs
    ]


def _messages(app, limit: int) -> list[tuple]:
    messages = Message.objects.filter(app=app).select_related("channel", "delivery").order_by("-created_at", "-id")
    return [
        (
            _change_link("message", message.pk, message.public_id),
            message.channel.name,
            message.to or "—",
            badge(getattr(getattr(message, "delivery", None), "status", None)),
            when(message.created_at),
        )
        for message in messages[:limit]
    ]


PANELS = [
    Panel(
        "Recent workflow runs",
        ("Run", "Workflow", "Version", "Status", "", "Took", "When"),
        _runs,
        lambda app: reverse("admin:workflows_run_changelist") + f"?app__id__exact={app.pk}",
    ),
    Panel(
        "Recent messages",
        ("Message", "Channel", "To", "Delivery", "When"),
        _messages,
        lambda app: reverse("admin:workflows_message_changelist") + f"?q={app.sid}",
    ),
]
