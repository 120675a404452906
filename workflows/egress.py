"""Outbound HTTP for Slack and webhook deliveries, through the platform's egress policy."""

import httpx
from django.conf import settings

from workflows.services.delivery import PermanentDeliveryError, TemporaryDeliveryError


def egress_post(*, url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST through the egress policy; answers (status, text). A refused destination is a permanent failure."""
    try:
        from published_api.egress import EgressDenied, check_url  # the backends' policy, when it has landed
    except ImportError:
        check_url, EgressDenied = None, ()
    if check_url is not None:
        try:
            check_url(url)
        except EgressDenied as exc:
            raise PermanentDeliveryError(f"egress refused: {exc}") from None
    try:
        response = httpx.post(
            url, content=body, headers=headers, timeout=settings.STAGE_UPSTREAM_TIMEOUT_SECONDS, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from None
    return response.status_code, response.text
