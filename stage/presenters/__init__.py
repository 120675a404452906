"""JSON shapes shared by the REST API and the Convex endpoint, one module per area."""

from stage.presenters.published_apps import (
    app_detail,
    apps_detail,
    channel_move,
    channels_summary,
    version_detail,
    versions_detail,
)
from stage.presenters.sessions import (
    file_detail,
    file_history_entry,
    file_written,
    render_state,
    session_status,
    session_summary,
    snapshot_summary,
    snapshots_with_counts,
)

__all__ = [
    "app_detail",
    "apps_detail",
    "channel_move",
    "channels_summary",
    "file_detail",
    "file_history_entry",
    "file_written",
    "render_state",
    "session_status",
    "session_summary",
    "snapshot_summary",
    "snapshots_with_counts",
    "version_detail",
    "versions_detail",
]
