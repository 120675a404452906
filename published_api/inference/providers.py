"""Which provider answers a call: a named one from the admin, or the `openai` provider from the environment."""

import threading
from dataclasses import dataclass

import openai
from django.conf import settings

from core.errors import NotFound
from published_api.inference.errors import InferenceNotConfigured, ModelNotAllowed
from published_api.inference.models import Provider

DEFAULT_NAME = "openai"


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    base_url: str
    api_key: str
    default_model: str
    allowed_models: tuple[str, ...] = ()

    def model_for(self, requested: str | None) -> str:
        model = requested or self.default_model
        if self.allowed_models and model not in self.allowed_models:
            raise ModelNotAllowed(
                f"Model {model} is not allowed for provider {self.name} (allowed: {', '.join(self.allowed_models)})."
            )
        return model


def _from_environment() -> ProviderConfig | None:
    if not settings.OPENAI_API_KEY:
        return None
    return ProviderConfig(
        DEFAULT_NAME, settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY, settings.OPENAI_DEFAULT_MODEL
    )


def _from_row(row: Provider) -> ProviderConfig:
    return ProviderConfig(row.name, row.base_url, row.api_key(), row.default_model, tuple(row.allowed_models or ()))


def provider_resolve(*, name: str | None) -> ProviderConfig:
    """The named provider; without a name the environment's `openai`, else the first enabled admin provider."""
    if name:
        row = Provider.objects.filter(name=name, enabled=True).first()
        if row is not None:
            return _from_row(row)
        if name == DEFAULT_NAME and (default := _from_environment()):
            return default
        raise NotFound(f"Unknown inference provider: {name}")
    default = _from_environment()
    if default is not None:
        return default
    row = Provider.objects.filter(enabled=True).order_by("name").first()
    if row is None:
        raise InferenceNotConfigured()
    return _from_row(row)


def provider_check(*, name: str) -> None:
    """NotFound unless `name` is a provider Stage knows: one in the admin (enabled or not: its usage stays), or the
    environment's default."""
    if Provider.objects.filter(name=name).exists() or (name == DEFAULT_NAME and _from_environment() is not None):
        return
    raise NotFound(f"Unknown inference provider: {name}")


_clients: dict[tuple[str, str], openai.OpenAI] = {}
_clients_lock = threading.Lock()


def client_for(provider: ProviderConfig) -> openai.OpenAI:
    """One client (and connection pool) per base URL and key. The platform retries nothing itself."""
    key = (provider.base_url, provider.api_key)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = openai.OpenAI(
                api_key=provider.api_key or "unset",
                base_url=provider.base_url,
                max_retries=0,
                timeout=settings.STAGE_INFERENCE_TIMEOUT_SECONDS,
            )
        return _clients[key]
