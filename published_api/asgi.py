"""The gateway's own ASGI handler: backend traffic on the event loop from the socket to the sandbox and back.

Django's ASGI handler sends every request through the whole middleware stack and its request signals, handing
work to a thread and back several times per request, which costs more than the exchange with the backend. Backend
traffic needs none of that stack (sessions, CSRF, auth, messages). This handler does the three things it needs
itself, with the same code as the platform's middlewares: the request id and metrics (core/observability.py),
the security middleware's redirect and headers (core/security.py: the headers worked out once per scheme and
written with the answer), and tenant routing to the gateway's async views (stage/origins/middleware.py), with
Django's exception handling; blocking work runs on the gateway's own thread pools (published_api/threads.py).

The platform's gateway path (`/stage/<sid>/api/*`) goes further: a request Django would pass unchanged (one Host
that ALLOWED_HOSTS accepts, nothing to redirect to https, no proxy header to trust, no root path) is read
straight from the ASGI scope into the gateway's Call, and its Answer written straight to the server, building
neither Django's request nor its response (published_api/gateway_call.py). Anything else takes Django's way.
"""

import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponseNotFound
from django.http.request import split_domain_port, validate_host
from django.urls import set_urlconf

from core.errors import StageError, ValidationFailed
from core.observability import HEADER, counted, request_begun, request_counted, request_id_for, request_id_var
from core.security import SecurityMiddleware
from published_api.gateway import gateway, platform_answer
from published_api.gateway_call import Answer, Call, error_answer
from published_api.threads import ON_SERVER_POOLS
from stage.origins.middleware import TenantRoutesMiddleware, tenant_resolve
from stage.origins.names import origin_of

logger = logging.getLogger(__name__)


async def _not_backend_traffic(request):
    return HttpResponseNotFound()  # the entry point sends only backend traffic here


def _allowed_hosts() -> list[str]:
    """As Django's request.get_host() has them."""
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def _is_secure(scope) -> bool:
    """As Django's request.is_secure() answers for this scope: the trusted proxy's header (its first value) when
    it is there, else the scheme. ASGI requests spell a header's dashes as underscores too, as Django reads them."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        wanted = proxy[0].removeprefix("HTTP_").lower().replace("_", "-").encode()
        for name, value in scope["headers"]:
            if name.replace(b"_", b"-") == wanted:
                return value.decode("latin-1").split(",", 1)[0].strip() == proxy[1]
    return scope["scheme"] == "https"


class _Internal(StageError):
    status_code = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "INTERNAL"
    default_message = "Internal error."


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
            match = self._platform_gateway_match(scope)
            if match is not None:
                await self._serve_call(scope, match, body_file, send)
            else:
                await self._serve_request(scope, body_file, send)
        finally:
            body_file.close()

    async def _serve_request(self, scope, body_file, send):
        """Django's way: a request object through the gateway's middlewares, a response object back."""
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

    def _platform_gateway_match(self, scope):
        """The route of a platform gateway request that Django would pass unchanged, else None."""
        if scope.get("root_path") or settings.USE_X_FORWARDED_HOST:
            return None
        if self.security.redirect and not _is_secure(scope):
            return None  # Django's way redirects it
        hosts = [value for name, value in scope["headers"] if name == b"host"]  # (a lone Host: Django reads one)
        if len(hosts) != 1:
            return None
        host = hosts[0].decode("latin-1")
        domain, _ = split_domain_port(host)
        if not domain or not validate_host(domain, _allowed_hosts()):
            return None  # Django answers it (400)
        try:
            if origin_of(host) is not None:
                return None  # an app's own origin
            match = tenant_resolve(scope["path"], settings.STAGE_GATEWAY_URLCONF)
        except Exception:  # a name under the apps domain that is not ours, a path that is not the gateway's
            return None
        return match if match.func is gateway else None

    def _request_for(self, scope, body_file):
        """Django's request for this scope, for a check that needs one (a preview's caller)."""
        request, _ = self.create_request(scope, body_file)
        if request is None:
            raise ValidationFailed("The request could not be read.")
        return request

    async def _serve_call(self, scope, match, body_file, send):
        """The lean way: the scope read into a Call, the gateway's Answer written out."""
        call = Call(
            method=scope["method"],
            headers=[(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]],
            raw_query=scope.get("query_string", b"").decode("latin-1"),
            read=body_file.read,
            make_request=lambda: self._request_for(scope, body_file),
        )
        request_id, started = request_id_for(call.header("x-request-id")), time.perf_counter()
        id_token, pools_token = request_id_var.set(request_id), ON_SERVER_POOLS.set(True)
        try:
            answer = await platform_answer(call, *match.args, **match.kwargs)
        except Exception:
            logger.exception("Internal error in the gateway")
            answer = error_answer(_Internal())
        finally:
            ON_SERVER_POOLS.reset(pools_token)
            request_id_var.reset(id_token)
        counted(match.route, call.method, answer.status, started)
        answer.setdefault(HEADER, request_id)
        for name, value in self.security.headers_for(_is_secure(scope)):
            answer.setdefault(name, value)
        await self._send_answer(answer, send, head=call.method == "HEAD")

    async def _send_answer(self, answer: Answer, send, *, head: bool):
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers]
        if not head and answer.status >= 200 and answer.status not in (204, 304):
            headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def send_response(self, response, send, added=()):
        """Django's, with `added` headers written where the response does not set them itself."""
        store = response.headers._store  # {lowercased name: (name, value)}; ours are plain ASCII, no checks needed
        for name, value in added:
            store.setdefault(name.lower(), (name, value))
        await super().send_response(response, send)
