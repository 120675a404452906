"""Session file paths: absolute, normalised, and never able to name anything outside the session."""

import re

from django.conf import settings

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_SEGMENT = 255


class InvalidPath(ValueError):
    pass


def normalize_path(raw: object) -> str:
    """Return the canonical form of a file path, or raise InvalidPath saying what is wrong with it.

    Repeated slashes and "." segments are normalised away; ".." segments, control characters,
    backslashes, trailing slashes and over-long paths are refused rather than guessed at.
    """
    if not isinstance(raw, str):
        raise InvalidPath("path must be a string")
    if not raw:
        raise InvalidPath("path must not be empty")
    if _CONTROL.search(raw):
        raise InvalidPath("path must not contain NUL or control characters")
    if "\\" in raw:
        raise InvalidPath("path must use forward slashes")
    if not raw.startswith("/"):
        raise InvalidPath("path must be absolute (start with /)")
    if raw.endswith("/"):
        raise InvalidPath("path must name a file, not a directory")
    segments = [segment for segment in raw.split("/") if segment not in ("", ".")]
    if not segments:
        raise InvalidPath("path must name a file")
    if ".." in segments:
        raise InvalidPath("path must not contain '..' segments")
    if any(len(segment.encode()) > _MAX_SEGMENT for segment in segments):
        raise InvalidPath(f"path segments must be at most {_MAX_SEGMENT} bytes")
    path = "/" + "/".join(segments)
    if len(path.encode()) > settings.STAGE_MAX_PATH_LENGTH:
        raise InvalidPath(f"path must be at most {settings.STAGE_MAX_PATH_LENGTH} bytes")
    return path
