"""@stage/inference errors: enveloped codes over REST, an Error with the same message in backends."""

from http import HTTPStatus

from core.errors import StageError


class InferenceNotConfigured(StageError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    code = "INFERENCE_NOT_CONFIGURED"
    default_message = (
        "No inference provider is configured: set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, "
        "OPENAI_DEFAULT_MODEL) in the environment, or add a provider in the admin (Inference > Providers)."
    )


class ModelNotAllowed(StageError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "MODEL_NOT_ALLOWED"
    default_message = "The model is not allowed for this provider."


class ProviderAuthFailed(StageError):
    status_code = HTTPStatus.BAD_GATEWAY
    code = "PROVIDER_AUTH_FAILED"
    default_message = "The inference provider refused the API key."


class ProviderRateLimited(StageError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "RATE_LIMITED"
    default_message = "The inference provider is rate limiting; try again later."


class ProviderFailed(StageError):
    status_code = HTTPStatus.BAD_GATEWAY
    code = "PROVIDER_ERROR"
    default_message = "The inference provider failed."
