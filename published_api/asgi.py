"""The gateway's own ASGI handler: backend traffic on the event loop from the socket to the sandbox and back.

Django's ASGI handler sends every request through the whole middleware stack and its request signals, handing
work to a thread and back several times per request, which costs more than the exchange with the backend. Backend
traffic needs none of that stack (sessions, CSRF, auth, messages). This handler does the three things it needs
itself, with the same code as the platform's middlewares: the request id and metrics (core/observability.py),
the security middleware's redirect and headers (core/security.py: the headers worked out once per scheme and
written with the answer), and tenant routing to the gateway's async views (stage/origins/middleware.py), with
Django's exception handling; blocking work runs on the gateway's own thread pools (published_api/threads.py).
"""

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponseNotFound
from django.urls import set_urlconf

from core.observability import HEADER, request_begun, request_counted, request_id_var
from core.security import SecurityMiddleware
from published_api.threads import ON_SERVER_POOLS
from stage.origins.middleware import TenantRoutesMiddleware


async def _not_backend_traffic(request):
    return HttpResponseNotFound()  # the entry point sends only backend traffic here


class GatewayHandler(ASGIHandler):
    def __init__(self):
        BaseHandler.__init__(self)  # not settings.MIDDLEWARE: the gateway's own steps, below
        self.respond = convert_exception_to_response(TenantRoutesMiddleware(_not_backend_traffic))
        self.security = SecurityMiddleware(self.respond)

    async def __call__(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except Exception:  # the client went away before its request arrived: nothing to answer
            return
        try:
            set_urlconf(None)
            request, error = self.create_request(scope, body_file)
            if request is None:
                await self.send_response(error, send)
                return
            (id_token, started), pools_token = request_begun(request), ON_SERVER_POOLS.set(True)
            try:
                response = self.security.process_request(request) or await self.respond(request)
            finally:
                ON_SERVER_POOLS.reset(pools_token)
                request_id_var.reset(id_token)
            request_counted(request, response.status_code, started)
            added = [(HEADER, request.request_id), *self.security.headers_for(request.is_secure())]
            await self.send_response(response, send, added=added)
        finally:
            body_file.close()

    async def send_response(self, response, send, added=()):
        """Django's, with `added` headers written where the response does not set them itself."""
        store = response.headers._store  # {lowercased name: (name, value)}; ours are plain ASCII, no checks needed
        for name, value in added:
            store.setdefault(name.lower(), (name, value))
        await super().send_response(response, send)
