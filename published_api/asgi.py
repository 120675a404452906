"""The gateway's own ASGI handler: backend traffic on the event loop from the socket to the sandbox and back.

Django's ASGI handler sends every request through the whole middleware stack and its request signals, handing
work to a thread and back several times per request, which costs more than the exchange with the backend. Backend
traffic needs none of that stack (sessions, CSRF, auth, messages), so this handler runs the three middlewares it
does need (request ids and metrics, security headers, tenant routing: the same code as in settings.MIDDLEWARE)
around the gateway's async views, with Django's exception handling, and runs blocking work on the gateway's own
thread pools (published_api/threads.py).
"""

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponseNotFound
from django.urls import set_urlconf

from core.observability import ObservabilityMiddleware
from core.security import SecurityMiddleware
from published_api.threads import ON_SERVER_POOLS
from stage.origins.middleware import TenantRoutesMiddleware


async def _not_backend_traffic(request):
    return HttpResponseNotFound()  # the entry point sends only backend traffic here


class GatewayHandler(ASGIHandler):
    def __init__(self):
        BaseHandler.__init__(self)  # not settings.MIDDLEWARE: the gateway's own three, below
        chain = TenantRoutesMiddleware(_not_backend_traffic)
        self.respond = convert_exception_to_response(ObservabilityMiddleware(SecurityMiddleware(chain)))

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
            token = ON_SERVER_POOLS.set(True)
            try:
                response = await self.respond(request)
            finally:
                ON_SERVER_POOLS.reset(token)
            await self.send_response(response, send)
        finally:
            body_file.close()
