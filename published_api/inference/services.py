"""Inference calls through the `openai` package, each one recorded as a Usage row (success or failure)."""

import time
from dataclasses import dataclass

import openai

from core.errors import StageError
from core.limits import app_charge, app_quota
from published_api.inference.errors import ProviderAuthFailed, ProviderFailed, ProviderRateLimited
from published_api.inference.models import Usage
from published_api.inference.providers import ProviderConfig, client_for, provider_resolve


@dataclass(frozen=True)
class Who:
    session_id: str
    app_sid: str = ""


@dataclass(frozen=True)
class ChatAnswer:
    text: str
    model: str
    input_tokens: int
    output_tokens: int
    stop_reason: str


@dataclass(frozen=True)
class EmbedAnswer:
    embeddings: list[list[float]]
    model: str
    input_tokens: int
    output_tokens: int = 0


@dataclass(frozen=True)
class GeneratedImage:
    url: str | None = None  # the image's address at the provider, or else
    b64: str | None = None  # the image itself


@dataclass(frozen=True)
class ImageAnswer:
    images: list[GeneratedImage]
    model: str
    input_tokens: int
    output_tokens: int


def _upstream_error(provider: ProviderConfig, error: openai.OpenAIError) -> StageError:
    body = getattr(error, "body", None)
    detail = body.get("message") if isinstance(body, dict) and body.get("message") else None
    detail = detail or getattr(error, "message", None) or str(error)
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ProviderAuthFailed(f"Provider {provider.name} refused the API key: {detail}")
    if isinstance(error, openai.RateLimitError):
        return ProviderRateLimited(f"Provider {provider.name} is rate limiting: {detail}")
    if isinstance(error, openai.APIStatusError):
        return ProviderFailed(f"Provider {provider.name} answered {error.status_code}: {detail}")
    return ProviderFailed(f"Provider {provider.name} could not be reached: {detail}")


def _call(*, who: Who, kind: str, provider_name: str | None, model: str | None, send):
    if who.app_sid:  # an app whose token budget for this window is spent gets no further calls
        app_quota(who.app_sid, "inference_tokens", cost=0)
    provider = provider_resolve(name=provider_name)
    chosen = provider.model_for(model)
    started = time.monotonic()
    usage = Usage(session_id=who.session_id, app_sid=who.app_sid, provider=provider.name, model=chosen, kind=kind)
    try:
        answer = send(client_for(provider), chosen)
        usage.input_tokens, usage.output_tokens = answer.input_tokens, answer.output_tokens
        return answer
    except openai.OpenAIError as error:
        failure = _upstream_error(provider, error)
        usage.status = failure.code
        raise failure from None
    except Exception:
        usage.status = "ERROR"
        raise
    finally:
        usage.latency_ms = int((time.monotonic() - started) * 1000)
        usage.save()
        if who.app_sid:
            app_charge(who.app_sid, "inference_tokens", cost=(usage.input_tokens or 0) + (usage.output_tokens or 0))


def _tokens(usage, input_name: str, output_name: str | None) -> tuple[int, int]:
    if usage is None:
        return 0, 0
    return int(getattr(usage, input_name, 0) or 0), int(getattr(usage, output_name, 0) or 0) if output_name else 0


def inference_chat(*, who: Who, messages: list[dict], model=None, provider=None, max_tokens=None, temperature=None):
    def send(client, chosen):
        extra = {k: v for k, v in (("max_tokens", max_tokens), ("temperature", temperature)) if v is not None}
        answer = client.chat.completions.create(model=chosen, messages=messages, **extra)
        choice = answer.choices[0] if answer.choices else None
        text = (choice.message.content if choice else None) or ""
        inputs, outputs = _tokens(answer.usage, "prompt_tokens", "completion_tokens")
        stop_reason = (choice.finish_reason if choice else None) or "stop"
        return ChatAnswer(text, answer.model or chosen, inputs, outputs, stop_reason)

    return _call(who=who, kind=Usage.Kind.CHAT, provider_name=provider, model=model, send=send)


def inference_embed(*, who: Who, input, model=None, provider=None):
    def send(client, chosen):
        answer = client.embeddings.create(model=chosen, input=input)
        inputs, _ = _tokens(answer.usage, "prompt_tokens", None)
        vectors = [list(item.embedding) for item in sorted(answer.data, key=lambda item: item.index)]
        return EmbedAnswer(vectors, answer.model or chosen, inputs)

    return _call(who=who, kind=Usage.Kind.EMBED, provider_name=provider, model=model, send=send)


def inference_image(*, who: Who, prompt: str, model=None, provider=None, size=None):
    def send(client, chosen):
        extra = {"size": size} if size else {}
        answer = client.images.generate(model=chosen, prompt=prompt, **extra)
        images = [
            GeneratedImage(url=item.url) if item.url else GeneratedImage(b64=item.b64_json)
            for item in answer.data or []
        ]
        inputs, outputs = _tokens(getattr(answer, "usage", None), "input_tokens", "output_tokens")
        return ImageAnswer(images, chosen, inputs, outputs)

    return _call(who=who, kind=Usage.Kind.IMAGE, provider_name=provider, model=model, send=send)
