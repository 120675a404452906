"""A Content-Security-Policy for every platform HTML page that does not set its own (the preview pages do)."""

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.utils.decorators import sync_and_async_middleware

# The admin and the API docs: their own scripts and styles (some inline), Swagger UI's assets from its CDN.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' {cdn}; style-src 'self' 'unsafe-inline' {cdn}; "
    "img-src 'self' data: {cdn}; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


@sync_and_async_middleware
def ContentSecurityPolicyMiddleware(get_response):
    policy = DEFAULT_POLICY.format(cdn=settings.STAGE_CSP_ASSET_ORIGIN).replace("  ", " ")

    def with_policy(response):
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = policy
        return response

    if iscoroutinefunction(get_response):

        async def middleware(request):
            return with_policy(await get_response(request))

    else:

        def middleware(request):
            return with_policy(get_response(request))

    return middleware
