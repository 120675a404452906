"""Reads of sessions and what lives in them."""

from django.db.models import QuerySet

from core.errors import NotFound, ValidationFailed
from core.ids import is_public_id
from stage.models import CurrentFile, FileVersion, Render, Session, Snapshot
from stage.paths import InvalidPath, normalize_path


def session_get(*, public_id: str, owner) -> Session:
    """The owner's session; any other caller learns only that there is no such session."""
    session = Session.objects.filter(public_id=public_id, owner=owner).first() if is_public_id(public_id) else None
    if session is None:
        raise NotFound("Session not found")
    return session


def session_list(*, owner) -> QuerySet[Session]:
    return Session.objects.filter(owner=owner)


def path_or_error(raw_path: object, *, field: str = "path") -> str:
    try:
        return normalize_path(raw_path)
    except InvalidPath as exc:
        raise ValidationFailed(f"Invalid path {raw_path!r}: {exc}.", details={field: [str(exc)]}) from exc


def current_files(*, session: Session, with_content: bool = False) -> list[dict]:
    """The latest version of each file: path, version, size (bytes), encoding (utf-8, or base64 for a binary file)
    and, when asked, content."""
    fields = ["path", "version", "size", "file_version__encoding"]
    if with_content:
        fields.append("file_version__content")
    rows = CurrentFile.objects.filter(session=session).order_by("path").values_list(*fields)
    if with_content:
        return [{"path": p, "version": v, "size": s, "encoding": e, "content": c} for p, v, s, e, c in rows]
    return [{"path": p, "version": v, "size": s, "encoding": e} for p, v, s, e in rows]


def split_by_encoding(rows) -> tuple[dict[str, str], dict[str, str]]:
    """(path -> text, path -> base64) of rows holding path, content and encoding."""
    text, binary = {}, {}
    for row in rows:
        (binary if row["encoding"] == "base64" else text)[row["path"]] = row["content"]
    return text, binary


def file_get(*, session: Session, path: str, version: int | None = None) -> FileVersion | None:
    path = path_or_error(path)
    if version is None:
        current = CurrentFile.objects.filter(session=session, path=path).select_related("file_version").first()
        return current.file_version if current else None
    return FileVersion.objects.filter(session=session, path=path, version=version).first()


def file_get_or_404(*, session: Session, path: str, version: int | None = None) -> FileVersion:
    found = file_get(session=session, path=path, version=version)
    if found is None:
        suffix = f" at version {version}" if version is not None else ""
        raise NotFound(f"File not found: {path_or_error(path)}{suffix}")
    return found


def file_history(*, session: Session, path: str) -> QuerySet[FileVersion]:
    return FileVersion.objects.filter(session=session, path=path_or_error(path)).order_by("-version").defer("content")


def render_latest(*, session: Session) -> Render | None:
    return Render.objects.filter(session=session).order_by("-version").first()


def snapshot_list(*, session: Session) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(session=session)


def snapshot_get(*, session: Session, public_id: str) -> Snapshot:
    snapshot = (
        Snapshot.objects.filter(session=session, public_id=public_id).first() if is_public_id(public_id) else None
    )
    if snapshot is None:
        raise NotFound("Snapshot not found")
    return snapshot
