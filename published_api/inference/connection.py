"""The admin's "test connection": one real, minimal chat call to a provider, through the same entry point apps use
(calls.chat: provider resolution, the shared client, error mapping, a Usage row like any other call)."""

import time
from dataclasses import dataclass

from core.errors import StageError
from published_api.inference import calls
from published_api.inference.models import Provider
from published_api.inference.services import Who

# Usage rows of these calls carry this in place of a session id (no session has a colon in its id).
WHO = Who(session_id="admin:connection-test")
PROMPT = "Reply with the single word: ok"


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    summary: str


def provider_connection_test(*, provider: Provider) -> ConnectionResult:
    if not provider.enabled:
        return ConnectionResult(False, f"Provider {provider.name} is disabled (apps cannot call it): enable it first.")
    started = time.monotonic()
    try:
        answer = calls.chat(
            WHO, {"provider": provider.name, "maxTokens": 5, "messages": [{"role": "user", "content": PROMPT}]}
        )
    except StageError as error:
        return ConnectionResult(False, f"Connection test of {provider.name} failed ({error.code}): {error.message}")
    took = round((time.monotonic() - started) * 1000)
    text = " ".join(part.get("text", "") for part in answer.get("content") or []).strip()[:200]
    model = answer.get("model")
    return ConnectionResult(True, f"Connection test of {provider.name}: model {model} answered in {took} ms: “{text}”")
