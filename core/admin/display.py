"""How the admin shows states and times: a coloured badge per status, times as people say them, durations
rounded, long ids kept short. One place, so every list reads the same."""

from collections.abc import Callable
from operator import attrgetter

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.html import format_html

GOOD, BAD, WAITING, QUIET = "#1a7f37", "#b42318", "#9a6700", "#57606a"
COLOURS = {
    "ready": GOOD, "succeeded": GOOD, "delivered": GOOD, "active": GOOD, "ok": GOOD, "success": GOOD,
    "failed": BAD, "error": BAD, "runtime error": BAD, "dead": BAD,
    "queued": WAITING, "building": WAITING, "running": WAITING, "pending": WAITING, "retrying": WAITING,
    "archived": QUIET, "none": QUIET, "production": GOOD, "preview": WAITING,
}  # fmt: skip


def badge(state: str | None):
    """A status as a small coloured label (grey for one it does not know)."""
    if not state:
        return "—"
    colour = COLOURS.get(state, QUIET)
    return format_html(
        '<span style="display:inline-block;padding:1px 8px;border-radius:9px;color:#fff;background:{};'
        'font-size:11px;white-space:nowrap">{}</span>',
        colour,
        state,
    )


def when(moment) -> str:
    """`3 minutes ago`, with the exact time on hover."""
    if moment is None:
        return "—"
    return format_html('<span title="{}">{}</span>', moment.strftime("%Y-%m-%d %H:%M:%S UTC"), naturaltime(moment))


def duration(milliseconds: float | None) -> str:
    if milliseconds is None:
        return "—"
    return f"{milliseconds / 1000:.1f} s" if milliseconds >= 1000 else f"{round(milliseconds)} ms"


def ident(value) -> str:
    """A long id (or an object named by one) on one short line: its start, then an ellipsis; the whole of it on hover,
    and in what a copy takes (core/static/core/admin.css)."""
    if value is None or value == "":
        return "—"
    return format_html('<span class="stage-id" title="{}">{}</span>', value, value)


def column(field: str, description: str, show: Callable | None = None):
    """A list_display column: the value at `field` (dots follow relations: "message.public_id") shown by `show`
    (badge, when, duration, ident; as the admin shows it when None), sorted by that field."""

    def shown(obj):
        value = attrgetter(field)(obj)
        return show(value) if show else value

    shown.__name__ = field.replace(".", "_")  # the cells' class: field-<name>
    return admin.display(description=description, ordering=field.replace(".", "__"))(shown)
