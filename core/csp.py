"""A Content-Security-Policy for every platform HTML page that does not set its own (the preview pages do)."""

# The admin and the API docs: their own scripts and styles (some inline), all from this origin (Swagger UI and
# ReDoc are pinned and served from /static/: drf-spectacular-sidecar). ReDoc runs its renderer in a blob: worker.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = DEFAULT_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = self.policy
        return response
