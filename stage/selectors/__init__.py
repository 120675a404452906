"""Reads, one module per area. Every lookup of a user's resource is scoped to its owner."""

from stage.selectors.sessions import (
    current_files,
    file_get,
    file_get_or_404,
    file_history,
    path_or_error,
    render_latest,
    session_get,
    session_list,
    snapshot_get,
    snapshot_list,
)

__all__ = [
    "current_files",
    "file_get",
    "file_get_or_404",
    "file_history",
    "path_or_error",
    "render_latest",
    "session_get",
    "session_list",
    "snapshot_get",
    "snapshot_list",
]
