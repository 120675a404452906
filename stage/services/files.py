import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import PayloadTooLarge, ValidationFailed
from stage.models import CurrentFile, FileVersion, Session
from stage.paths import InvalidPath, normalize_path
from stage.services.sessions import session_lock


def _content_problem(content: str) -> str | None:
    # Stage stores text; PostgreSQL text cannot hold NUL, and lone surrogates are not UTF-8.
    if "\x00" in content:
        return "contains NUL characters (Stage stores text files)"
    try:
        content.encode()
    except UnicodeEncodeError:
        return "is not valid UTF-8 text"
    return None


TEXT, BASE64 = "utf-8", "base64"


def _decoded(content: str) -> bytes | None:
    """The bytes of base64 content (standard alphabet, padded), or None when it is not that."""
    try:
        return base64.b64decode(content.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


def _validated(files: Iterable[tuple]) -> list[tuple[str, str, int, str]]:
    """Check every file before anything is written; return (path, content, size, encoding) or raise naming each
    offender. A file is (path, content) or (path, content, encoding): "utf-8" text, or "base64" for a binary file
    (kept as canonical base64; its size is its bytes)."""
    files = list(files)
    if len(files) > settings.STAGE_MAX_PUSH_FILES:
        raise PayloadTooLarge(
            f"A push may hold at most {settings.STAGE_MAX_PUSH_FILES} files; this one has {len(files)}."
        )
    errors: dict[str, list[str]] = {}
    checked: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    total = 0
    too_large: list[str] = []
    for raw_path, content, *rest in files:
        encoding = rest[0] if rest else TEXT
        label = raw_path if isinstance(raw_path, str) else repr(raw_path)
        try:
            path = normalize_path(raw_path)
        except InvalidPath as exc:
            errors.setdefault(label, []).append(f"Invalid path {label!r}: {exc}.")
            continue
        if not isinstance(content, str):
            errors.setdefault(path, []).append(f"Content of {path} must be a string.")
            continue
        if path in seen:
            errors.setdefault(path, []).append(f"{path} appears more than once in this push.")
            continue
        if encoding not in (TEXT, BASE64):
            errors.setdefault(path, []).append(f"Encoding of {path} must be utf-8 or base64.")
            continue
        if encoding == BASE64:
            raw = _decoded(content)
            if raw is None:
                errors.setdefault(path, []).append(f"Content of {path} is not valid base64.")
                continue
            content, size = base64.b64encode(raw).decode("ascii"), len(raw)
        else:
            problem = _content_problem(content)
            if problem:
                errors.setdefault(path, []).append(f"Content of {path} {problem}.")
                continue
            size = len(content.encode())
        seen.add(path)
        if size > settings.STAGE_MAX_FILE_BYTES:
            too_large.append(path)
        total += size
        checked.append((path, content, size, encoding))
    if errors:
        first = next(iter(errors.values()))[0]
        more = f" ({len(errors)} files are invalid)" if len(errors) > 1 else ""
        raise ValidationFailed(first + more, details={"files": errors})
    if too_large:
        raise PayloadTooLarge(
            f"{too_large[0]} is larger than the {settings.STAGE_MAX_FILE_BYTES}-byte limit per file.",
            details={"files": {path: ["Too large."] for path in too_large}},
        )
    if total > settings.STAGE_MAX_PUSH_BYTES:
        raise PayloadTooLarge(f"A push may hold at most {settings.STAGE_MAX_PUSH_BYTES} bytes; this one has {total}.")
    return checked


@dataclass(frozen=True)
class Pushed:
    """What a push did: the versions it wrote, and the files it was given with the content they already had."""

    written: list[FileVersion]
    unchanged: list[str]


def _digest(content: str, encoding: str) -> str:
    raw = base64.b64decode(content) if encoding == BASE64 else content.encode()
    return hashlib.sha256(raw).hexdigest()


def files_push(*, session: Session, files: Iterable[tuple]) -> Pushed:
    """Write many files as one transaction: every file whose content differs from its latest version gets its
    next version (a file pushed again as it is gets none), or nothing is written."""
    checked = _validated(files)
    if not checked:
        return Pushed(written=[], unchanged=[])
    with transaction.atomic():
        session_lock(session=session)
        paths = [path for path, *_ in checked]
        current = CurrentFile.objects.filter(session=session, path__in=paths)
        latest = {
            path: (version, digest)
            for path, version, digest in current.values_list("path", "version", "file_version__sha256")
        }
        digests = {path: _digest(content, encoding) for path, content, _, encoding in checked}
        unchanged = [path for path in paths if path in latest and latest[path][1] == digests[path]]
        changed = [file for file in checked if file[0] not in unchanged]
        versions = FileVersion.objects.bulk_create(
            FileVersion(
                session=session,
                path=path,
                version=latest.get(path, (0, ""))[0] + 1,
                content=content,
                size=size,
                sha256=digests[path],
                encoding=encoding,
            )
            for path, content, size, encoding in changed
        )
        CurrentFile.objects.bulk_create(
            [
                CurrentFile(session=session, path=v.path, version=v.version, size=v.size, file_version=v)
                for v in versions
            ],
            update_conflicts=True,
            unique_fields=["session", "path"],
            update_fields=["version", "size", "file_version"],
        )
        Session.objects.filter(pk=session.pk).update(last_accessed_at=timezone.now())
    return Pushed(written=versions, unchanged=unchanged)


def file_write(*, session: Session, path: str, content: str, encoding: str = TEXT) -> FileVersion:
    """Write one file: its next version, or its latest when the content is the same."""
    pushed = files_push(session=session, files=[(path, content, encoding)])
    if pushed.written:
        return pushed.written[0]
    current = CurrentFile.objects.select_related("file_version").get(session=session, path=pushed.unchanged[0])
    return current.file_version
