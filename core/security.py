"""Django's SecurityMiddleware for the gateway's own asynchronous handler (published_api/asgi.py).

Its work (an HTTPS redirect, a few response headers) touches no I/O. The gateway's handler asks it for the redirect
per request, and for the headers once per scheme: `headers_for` runs Django's own process_response on a blank
answer and keeps what it added, and the handler writes those as it sends the answer (where the answer does not set
one itself), which costs far less than setting each on every response. The platform's own pages keep the stock
middleware (settings.MIDDLEWARE, synchronous).
"""

from types import SimpleNamespace

from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware


class SecurityMiddleware(DjangoSecurityMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self._headers: dict[bool, list[tuple[str, str]]] = {}

    def headers_for(self, secure: bool) -> list[tuple[str, str]]:
        """The headers process_response adds to an answer over https (secure) or http that sets none of them."""
        if secure not in self._headers:
            blank = HttpResponse()
            before = set(blank.headers)
            self.process_response(SimpleNamespace(is_secure=lambda: secure), blank)
            self._headers[secure] = [(name, value) for name, value in blank.items() if name not in before]
        return self._headers[secure]
