"""Inference from a session's preview (the browser `@stage/inference`), only where the owner has allowed it.

The owner allows it per session with a token budget per hour (`PUT /api/v1/inference/previews/<sessionId>`); the
preview's calls (stage/services/preview_operations.py) then run on the owner's providers, recorded against the
session (and its published app, if any) like a backend's, and stop at the budget with 429 until the hour moves on.
Without leave every call is refused with a message saying how to give it.
"""

from core.errors import Forbidden
from core.limits import hit, limit_reached, parse_rate
from published_api.inference import calls
from published_api.inference.models import PreviewAllowance
from published_api.inference.services import Who
from stage.models import App, Session

BUDGET = "preview_inference_tokens"
CHAT_TOKENS = 1024  # what a chat books when it names no maxTokens, and the most it may then answer
RESERVED = {"inference.embed": 1024, "inference.image": 5000}  # an image is charged this, whatever it took
OPERATIONS = {
    "inference.chat": (calls.chat, ("messages", "model", "provider", "maxTokens", "temperature")),
    "inference.embed": (calls.embed, ("input", "model", "provider")),
    "inference.image": (calls.image, ("prompt", "model", "provider", "size")),
    "inference.usage": (calls.usage, ("provider", "since", "until")),
}


def preview_allowance_set(*, session: Session, tokens_per_hour: int) -> PreviewAllowance | None:
    """Allow the session's preview `tokens_per_hour`; 0 takes the leave back."""
    if tokens_per_hour == 0:
        PreviewAllowance.objects.filter(session=session).delete()
        return None
    allowance, _ = PreviewAllowance.objects.update_or_create(
        session=session, defaults={"tokens_per_hour": tokens_per_hour}
    )
    return allowance


def _allowance(session: Session) -> PreviewAllowance:
    allowance = PreviewAllowance.objects.filter(session=session).first()
    if allowance is None:
        raise Forbidden(
            "Inference is not allowed from this session's preview: it would spend the owner's providers for anyone "
            "holding the link. The owner can allow it with a token budget: "
            f'PUT /api/v1/inference/previews/{session.public_id} with {{"tokensPerHour": 20000}}.'
        )
    return allowance


def _tokens(answer: dict) -> int:
    usage = answer.get("usage") or {}
    return int(usage.get("inputTokens") or 0) + int(usage.get("outputTokens") or 0)


def _reserve(name: str, params: dict, tokens_per_hour: int) -> tuple[int, dict]:
    """What a call books against the budget before it runs (so concurrent calls cannot all pass a nearly spent
    budget), and its parameters: a chat's output is held to what it booked."""
    if name == "inference.chat":
        asked = params.get("maxTokens")
        booked = asked if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0 else CHAT_TOKENS
        booked = min(booked, tokens_per_hour)
        return booked, {**params, "maxTokens": booked}
    return RESERVED.get(name, 0), params


def preview_operation(name: str, call):
    """A preview operation running `call(who, params)` within the session's budget: booked before the call, the
    rest (a chat's prompt, an embedding's input) charged after it; an image counts IMAGE_TOKENS."""

    def operation(session: Session, params: dict) -> dict:
        tokens_per_hour = _allowance(session).tokens_per_hour
        rate, bucket = parse_rate(f"{tokens_per_hour}/hour"), f"session:{session.public_id}:{BUDGET}"
        booked, params = _reserve(name, params, tokens_per_hour)
        if wait := hit(bucket, rate, cost=booked):
            raise limit_reached("This preview's inference tokens", wait)
        app_sid = App.objects.filter(session=session).values_list("sid", flat=True).first() or ""
        answer = call(Who(session_id=session.public_id, app_sid=app_sid), params)
        if (spent := _tokens(answer)) > booked:
            hit(bucket, rate, cost=spent - booked)
        return answer

    return operation
