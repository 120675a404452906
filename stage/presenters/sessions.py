"""The JSON shapes of sessions, files, renders and snapshots, shared by the REST API and the Convex endpoint."""

from django.db.models import Count

from core.timestamps import epoch_ms
from stage.models import FileVersion, Render, Session, Snapshot
from stage.selectors import sessions as selectors


def session_summary(session: Session) -> dict:
    return {
        "id": session.public_id,
        "name": session.name,
        "createdAt": epoch_ms(session.created_at),
        "lastAccessedAt": epoch_ms(session.last_accessed_at),
    }


def file_written(version: FileVersion) -> dict:
    return {"path": version.path, "version": version.version, "size": version.size}


def file_history_entry(version: FileVersion) -> dict:
    return {**file_written(version), "createdAt": epoch_ms(version.created_at)}


def file_detail(version: FileVersion) -> dict:
    return {**file_history_entry(version), "content": version.content}


def render_state(render: Render | None) -> dict | None:
    if render is None:
        return None
    return {
        "entry": render.entry,
        "version": render.version,
        "error": render.error,
        "renderedAt": epoch_ms(render.rendered_at),
        "status": render.status,
        "buildMs": render.build_ms,
        "errorLocations": render.error_locations,
    }


def session_status(session: Session) -> dict:
    """Exactly the spec's status shape: session times, render state or null, the latest version of each file."""
    return {
        "session": {
            "createdAt": epoch_ms(session.created_at),
            "lastAccessedAt": epoch_ms(session.last_accessed_at),
        },
        "render": render_state(selectors.render_latest(session=session)),
        "files": selectors.current_files(session=session),
    }


def snapshot_summary(snapshot: Snapshot, *, file_count: int) -> dict:
    return {
        "id": snapshot.public_id,
        "name": snapshot.name,
        "createdAt": epoch_ms(snapshot.created_at),
        "fileCount": file_count,
    }


def snapshots_with_counts(session: Session) -> list[dict]:
    rows = selectors.snapshot_list(session=session).annotate(file_count=Count("files"))
    return [snapshot_summary(snapshot, file_count=snapshot.file_count) for snapshot in rows]
