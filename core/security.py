"""Django's SecurityMiddleware for the gateway's own asynchronous chain (published_api/asgi.py).

Its work (an HTTPS redirect, a few response headers) touches no I/O, so it runs on the event loop as it is; the
stock middleware would hand each half of it to a thread, and it sits in front of every backend request. The
platform's own pages keep the stock one (settings.MIDDLEWARE, synchronous).
"""

from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware


class SecurityMiddleware(DjangoSecurityMiddleware):
    async def __acall__(self, request):
        response = self.process_request(request)
        if response is None:
            response = await self.get_response(request)
        return self.process_response(request, response)
