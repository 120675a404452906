"""Session file paths: absolute, normalised, and never able to name anything outside the session."""

import re
import unicodedata

from django.conf import settings

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_SEGMENT = 255
# Unicode's control (Cc: C0, DEL, C1 such as U+0085) and format (Cf: bidi overrides such as U+202E, zero-width
# characters such as U+200B) categories: they make a path read as something other than what it is.
_INVISIBLE = {"Cc", "Cf"}


class InvalidPath(ValueError):
    pass


def normalize_path(raw: object) -> str:
    """Return the canonical form of a file path, or raise InvalidPath saying what is wrong with it.

    Repeated slashes and "." segments are normalised away; ".." segments (also as Unicode spells them), control
    and format characters, backslashes, trailing slashes and over-long paths are refused rather than guessed at.
    """
    if not isinstance(raw, str):
        raise InvalidPath("path must be a string")
    if not raw:
        raise InvalidPath("path must not be empty")
    if _CONTROL.search(raw):
        raise InvalidPath("path must not contain NUL or control characters")
    if any(unicodedata.category(char) in _INVISIBLE for char in raw):
        raise InvalidPath("path must not contain Unicode control or format characters (bidi overrides, zero-width)")
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
    # a segment that a tool applying NFKC would read as "." or ".." (fullwidth dots, the two-dot leader U+2025)
    if any(unicodedata.normalize("NFKC", segment) in (".", "..") for segment in segments):
        raise InvalidPath("path must not contain segments that read as '.' or '..' (after Unicode NFKC)")
    if any(len(segment.encode()) > _MAX_SEGMENT for segment in segments):
        raise InvalidPath(f"path segments must be at most {_MAX_SEGMENT} bytes")
    path = "/" + "/".join(segments)
    if len(path.encode()) > settings.STAGE_MAX_PATH_LENGTH:
        raise InvalidPath(f"path must be at most {settings.STAGE_MAX_PATH_LENGTH} bytes")
    return path
