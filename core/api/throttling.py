"""Per-API-key rate limit (`STAGE_RATE_LIMIT_PER_KEY`), counted on the shared cache by core.limits."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from core.limits import hit, parse_rate


class ApiKeyRateThrottle(BaseThrottle):
    """Counts requests per API key; anonymous requests are refused by authentication before they count."""

    def allow_request(self, request, view):
        api_key = request.auth
        self.wait_seconds = 0
        if api_key is None or not hasattr(api_key, "key_hash"):
            return True
        self.wait_seconds = hit(f"key:{api_key.key_hash[:24]}", parse_rate(settings.STAGE_RATE_LIMIT_PER_KEY))
        return not self.wait_seconds

    def wait(self):
        return self.wait_seconds
