"""Workflow errors, on top of core.errors. Each declares its HTTP status and envelope code."""

from http import HTTPStatus

from core.errors import StageError, UpstreamUnavailable, ValidationFailed

__all__ = [
    "GoogleNotConfigured",
    "MissingGoogleScope",
    "NotRegistered",
    "PermanentDeliveryError",
    "StepFailed",
    "TemplateError",
    "TemporaryDeliveryError",
    "UpstreamUnavailable",
    "ValidationFailed",
]


class TemplateError(StageError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "TEMPLATE_ERROR"
    default_message = "A template could not be rendered."


class MissingGoogleScope(StageError):
    status_code = HTTPStatus.FORBIDDEN
    code = "MISSING_GOOGLE_SCOPE"
    default_message = "The app's session has not declared the Google scope this step needs."


class GoogleNotConfigured(StageError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "GOOGLE_NOT_CONFIGURED"
    default_message = "No Google credentials are attached to this app."


class NotRegistered(StageError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "COMMUNICATION_NOT_REGISTERED"
    default_message = "The app has no active registration for this channel."


class StepFailed(StageError):
    """A step stopped the run: keeps the step's own status and code, and names the step."""

    def __init__(self, *, cause: StageError, index: int, step_id: str, block: str, run_id: str):
        self.status_code = cause.status_code
        self.code = cause.code
        label = f"steps[{index}]" + (f" ({step_id})" if step_id else "") + f" {block}"
        details = {"runId": run_id, "step": {"index": index, "id": step_id or None, "block": block}}
        if cause.details is not None:
            details["cause"] = cause.details
        super().__init__(f"{label} failed: {cause.message}", details=details)


class TemporaryDeliveryError(Exception):
    """A delivery worth retrying: a timeout, a refused connection, a 5xx or 429."""


class PermanentDeliveryError(Exception):
    """A delivery never worth retrying: the provider refused the message itself."""
