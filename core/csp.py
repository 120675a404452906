"""A Content-Security-Policy for every platform HTML page that does not set its own (the preview pages do)."""

from django.conf import settings

# The admin and the API docs: their own scripts and styles (some inline), Swagger UI's assets from its CDN.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' {cdn}; style-src 'self' 'unsafe-inline' {cdn}; "
    "img-src 'self' data: {cdn}; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = DEFAULT_POLICY.format(cdn=settings.STAGE_CSP_ASSET_ORIGIN).replace("  ", " ")

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = self.policy
        return response
