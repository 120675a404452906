from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from core.keys import hash_api_key
from core.models import ApiKey

# Both schemes carry the same key: Bearer for REST clients, Convex for the existing stage CLI.
_SCHEMES = {"bearer", "convex"}
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_from_header(header: bytes) -> ApiKey | None:
    """The active key named by an Authorization header; None when the header carries no key at all."""
    scheme, _, raw_key = header.decode("latin-1").partition(" ")
    if scheme.lower() not in _SCHEMES:
        return None
    raw_key = raw_key.strip()
    if not raw_key:
        raise AuthenticationFailed("Empty API key in the Authorization header.")
    api_key = (
        ApiKey.objects.select_related("user")
        .filter(key_hash=hash_api_key(raw_key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if api_key is None:
        raise AuthenticationFailed("Invalid or revoked API key.")
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Convex <key>`): the request acts as the key's user."""

    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header:
            return None
        api_key = api_key_from_header(header)
        if api_key is None:
            return None
        return api_key.user, api_key

    def authenticate_header(self, request):
        return 'Bearer realm="stage"'
