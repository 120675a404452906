"""What other parts of Stage show on an app's admin page (its recent runs, messages, inference usage).

Workflows and inference build on apps, not the other way round, so they add their panels from their own
AppConfig.ready(); the app page asks each panel for a few rows and a link to the full, filtered list.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

ROWS = 5


@dataclass(frozen=True)
class Panel:
    title: str
    headers: tuple[str, ...]
    rows: Callable  # (app, limit) -> list of cell tuples (strings or safe HTML)
    more: Callable  # (app) -> the URL of the full list, filtered to the app


_panels: list[Panel] = []


def register_app_panel(panel: Panel) -> None:
    _panels.append(panel)


def _table(panel: Panel, app) -> str:
    rows = panel.rows(app, ROWS)
    if not rows:
        body = format_html('<tr><td colspan="{}">none yet</td></tr>', len(panel.headers))
    else:
        cells = (format_html_join("", "<td>{}</td>", ((cell,) for cell in row)) for row in rows)
        body = format_html_join("", "<tr>{}</tr>", ((cell,) for cell in cells))
    head = format_html_join("", "<th>{}</th>", ((header,) for header in panel.headers))
    return format_html(
        '<h3 style="margin:12px 0 4px">{} <a href="{}" style="font-weight:normal">(all)</a></h3>'
        "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
        panel.title,
        panel.more(app),
        head,
        body,
    )


def app_panels(app) -> str:
    """Every registered panel for this app, newest rows first."""
    return format_html_join("", "{}", ((_table(panel, app),) for panel in _panels)) or "—"
