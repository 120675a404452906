"""What can go wrong between the gateway and an app's backend, as enveloped error codes."""

from http import HTTPStatus

from core.errors import StageError


class BackendCompileError(StageError):
    status_code = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "BACKEND_COMPILE_ERROR"
    default_message = "The backend does not compile."


class BackendError(StageError):
    status_code = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "BACKEND_ERROR"
    default_message = "The backend threw an error."


class BackendCrashed(StageError):
    status_code = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "BACKEND_CRASHED"
    default_message = "The backend process crashed."


class BackendTimeout(StageError):
    status_code = HTTPStatus.GATEWAY_TIMEOUT
    code = "TIMEOUT"
    default_message = "The backend did not answer in time."


class BackendTooLarge(StageError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The backend's response is too large."


class BackendBusy(StageError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    code = "BACKEND_BUSY"
    default_message = "Every sandbox on this host is serving requests; retry shortly."
