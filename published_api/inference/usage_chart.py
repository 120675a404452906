"""A bar chart as inline SVG, drawn on the server: no script, no CDN, nothing the admin's CSP would refuse.

One slot per day; a day with something in it gets a bar (`<rect class="bar">` with its day, value and a hover
title), an empty day none. The y axis is labelled at zero and at the largest value."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 760, 190
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 24
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
AXIS, GRID, TEXT = "#57606a", "#d0d7de", "#24292f"

FRAME = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="usage-chart" role="img" viewBox="0 0 {w} {h}" width="{w}" '
    'height="{h}" style="max-width:100%;height:auto;font:11px sans-serif"><title>{title}</title>'
    '<line x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="{grid}"/>'
    '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{axis}"/>'
    '<text x="{label_x}" y="{top_text}" text-anchor="end" fill="{text}">{most}</text>'
    '<text x="{label_x}" y="{base}" text-anchor="end" fill="{text}">0</text>{bars}{labels}</svg>'
)
BAR = (
    '<rect class="bar" data-day="{}" data-value="{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
    "<title>{}: {} {}</title></rect>"
)
LABEL = '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>'


def _number(value: float) -> str:
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(int(value))


def _bars(points: list[tuple], slot: float, largest: float, unit: str, colour: str):
    for index, (day, value) in enumerate(points):
        if value:
            height = max(1.0, value / largest * PLOT_HEIGHT)
            x, width = LEFT + index * slot + slot * 0.1, max(1.0, slot * 0.8)
            box = (f"{number:.1f}" for number in (x, BASELINE - height, width, height))
            yield day.isoformat(), value, *box, colour, day, value, unit


def _labels(points: list[tuple], slot: float):
    every = max(1, -(-len(points) // 8))  # at most about eight day labels under the axis, the last day's one
    for index, (day, _) in enumerate(points):
        if (len(points) - 1 - index) % every == 0:
            yield f"{LEFT + index * slot + slot / 2:.1f}", HEIGHT - 6, TEXT, day.strftime("%b %-d")


def bar_chart(points: list[tuple], *, title: str, unit: str, colour: str) -> SafeString:
    """`points` are (day, value) pairs, oldest first."""
    slot = PLOT_WIDTH / max(1, len(points))
    largest = max((value for _, value in points), default=0)
    return format_html(
        FRAME,
        w=WIDTH,
        h=HEIGHT,
        title=title,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        base=BASELINE,
        grid=GRID,
        axis=AXIS,
        label_x=LEFT - 6,
        top_text=TOP + 4,
        text=TEXT,
        most=_number(largest),
        bars=format_html_join("", BAR, _bars(points, slot, largest or 1, unit, colour)),
        labels=format_html_join("", LABEL, _labels(points, slot)),
    )
