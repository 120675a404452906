"""@stage/compute errors, as enveloped codes (and as the Error message a backend sees through the bridge)."""

from http import HTTPStatus

from core.errors import StageError


class ComputeError(StageError):
    """A compute function threw, or a call named an unknown module or function: the function's message, 400."""

    status_code = HTTPStatus.BAD_REQUEST
    code = "COMPUTE_ERROR"
    default_message = "The compute function failed."


class ComputeReadOnly(StageError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "COMPUTE_READ_ONLY"
    default_message = "A query cannot write: use a mutation."


class ComputeBusy(StageError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    code = "COMPUTE_BUSY"
    default_message = "The document store is busy; try again."


class ComputeTimeout(StageError):
    status_code = HTTPStatus.GATEWAY_TIMEOUT
    code = "TIMEOUT"
    default_message = "The compute transaction ran past its time budget and was rolled back."
