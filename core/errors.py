"""Domain errors. Services raise these; the REST envelope and the Convex endpoint translate them."""

from http import HTTPStatus


class StageError(Exception):
    status_code = HTTPStatus.BAD_REQUEST
    code = "BAD_REQUEST"
    default_message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, details=None):
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class ValidationFailed(StageError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "VALIDATION_ERROR"
    default_message = "Invalid input."


class NotFound(StageError):
    status_code = HTTPStatus.NOT_FOUND
    code = "NOT_FOUND"
    default_message = "Not found."


class Conflict(StageError):
    status_code = HTTPStatus.CONFLICT
    code = "CONFLICT"
    default_message = "The resource is in a state that does not allow this."


class PayloadTooLarge(StageError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request is too large."


class UpstreamUnavailable(StageError):
    """A third party (Google, an SMTP server, Slack, a webhook, an outbound fetch) failed or could not be reached."""

    status_code = HTTPStatus.BAD_GATEWAY
    code = "UPSTREAM_UNAVAILABLE"
    default_message = "A third-party service failed."


class Unauthorized(StageError):
    status_code = HTTPStatus.UNAUTHORIZED
    code = "UNAUTHORIZED"
    default_message = "Authentication is required."


class Forbidden(StageError):
    """Known, but not allowed: the error says who can allow it, and how."""

    status_code = HTTPStatus.FORBIDDEN
    code = "FORBIDDEN"
    default_message = "Not allowed."
