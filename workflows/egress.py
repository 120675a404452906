"""Outbound HTTP for Slack and webhook deliveries, through the platform's egress policy (core.egress)."""

from django.conf import settings

from core.egress import EgressRefused, egress_fetch
from core.errors import StageError
from workflows.errors import PermanentDeliveryError, TemporaryDeliveryError


def egress_post(*, url: str, body: bytes, headers: dict, app_sid: str) -> tuple[int, str]:
    """POST under the policy; answers (status, text). A refused destination never becomes deliverable."""
    try:
        response = egress_fetch(
            url=url,
            method="POST",
            headers=headers,
            body=body,
            app=app_sid,
            timeout=settings.STAGE_UPSTREAM_TIMEOUT_SECONDS,
        )
    except EgressRefused as exc:
        raise PermanentDeliveryError(f"egress refused: {exc.message}") from None
    except StageError as exc:  # unreachable, timed out, too large
        raise TemporaryDeliveryError(f"{exc.code}: {exc.message}") from None
    return response.status, response.body.decode("utf-8", errors="replace")
