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


def preview_operation(call):
    """A preview operation running `call(who, params)` within the session's budget."""

    def operation(session: Session, params: dict) -> dict:
        rate = parse_rate(f"{_allowance(session).tokens_per_hour}/hour")
        bucket = f"session:{session.public_id}:{BUDGET}"
        if wait := hit(bucket, rate, cost=0):  # spent: no further call this hour
            raise limit_reached("This preview's inference tokens", wait)
        app_sid = App.objects.filter(session=session).values_list("sid", flat=True).first() or ""
        answer = call(Who(session_id=session.public_id, app_sid=app_sid), params)
        hit(bucket, rate, cost=_tokens(answer))
        return answer

    return operation
