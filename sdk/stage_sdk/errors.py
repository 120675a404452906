"""The one exception the SDK raises: the server's error code, message and HTTP status."""

from typing import Any


class StageError(Exception):
    """An error answer from Stage, or a failure to reach it.

    ``code`` is the server's code (``NOT_FOUND``, ``VALIDATION_ERROR``, ...) or one of the client's own:
    ``CONNECTION_ERROR`` and ``TIMEOUT`` (``status`` is None: no answer arrived), ``BAD_RESPONSE`` (an answer
    that is not Stage's envelope, e.g. a proxy's HTML page) and ``CONFIGURATION_ERROR`` (no API key, bad URL).
    """

    def __init__(self, code: str, message: str, status: int | None = None, details: Any = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.status is None else f"{self.code} ({self.status}): {self.message}"

    def __repr__(self) -> str:
        return f"StageError(code={self.code!r}, message={self.message!r}, status={self.status!r})"

    def to_json(self) -> dict:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details is not None:
            body["details"] = self.details
        return body


class RenderTimeout(StageError):
    """``wait_for_render`` ran out of time; ``state`` is the render's state when it gave up (or None)."""

    def __init__(self, message: str, state=None):
        super().__init__("RENDER_TIMEOUT", message)
        self.state = state
