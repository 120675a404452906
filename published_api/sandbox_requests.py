"""Sending one request to a sandbox's serve socket: its deadline, its size cap and what its failures mean.

Who owns the sandbox decides what a passed deadline and a broken connection lead to: a process's own sandbox is
killed and asked for its exit status on the spot (published_api/runtime.py); a sandbox the host runtime owns is
killed by it and it is asked why the sandbox died (published_api/runtime_client.py).
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from django.conf import settings

from core.errors import ValidationFailed
from published_api.backend_client import BackendHungUp, KeptConnections, Reply, ResponseTooLarge, exchange
from published_api.errors import BackendCrashed, BackendTimeout, BackendTooLarge
from published_api.metrics import SANDBOX_KILLS
from published_api.threads import ON_SERVER_POOLS

logger = logging.getLogger(__name__)


class SandboxGone(Exception):
    """The sandbox answers no more connections (it was retired or replaced): the request has not reached it."""


class SandboxRequests:
    serve_path: str
    app_sid: str
    _kept: KeptConnections | None = None

    def _begun(self) -> None:
        """A request is about to be sent."""

    def _ended(self) -> None:
        """It has its answer, or has failed."""

    async def _stop_for_deadline(self) -> None:
        raise NotImplementedError

    async def _death(self) -> str | None:
        """Why the sandbox died, once it has (None while it lives)."""
        raise NotImplementedError

    def forward(self, *, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        """forward_async, for synchronous callers (the owners' compute API)."""
        return async_to_sync(self.forward_async)(method=method, path=path, headers=headers, body=body)

    async def forward_async(self, *, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        """Send one request; past the deadline the sandbox is killed (504); the response size is capped (413)."""
        deadline, max_bytes = settings.STAGE_BACKEND_DEADLINE_SECONDS, settings.STAGE_BACKEND_MAX_RESPONSE_BYTES
        self._begun()
        try:
            request = {"method": method, "target": path, "headers": headers, "body": body}
            async with asyncio.timeout(deadline):
                if ON_SERVER_POOLS.get():  # one event loop for the life of the process: keep connections
                    return await self._kept_connections().exchange(**request, max_bytes=max_bytes)
                return await exchange(self.serve_path, **request, max_bytes=max_bytes)
        except TimeoutError:
            logger.warning("backend %s: deadline of %ss exceeded, killing it", self.app_sid, deadline)
            SANDBOX_KILLS.labels("deadline").inc()
            await self._stop_for_deadline()
            raise BackendTimeout(f"The backend did not answer within {deadline:g} s and was stopped.") from None
        except ResponseTooLarge:
            raise BackendTooLarge(f"The backend's response exceeds {max_bytes} bytes.") from None
        except ValueError as exc:  # a header that would break the request line: never forwarded
            raise ValidationFailed(str(exc)) from None
        except (FileNotFoundError, ConnectionRefusedError):
            raise SandboxGone from None
        except (OSError, BackendHungUp):
            reason = await self._death()
            if reason is not None:
                SANDBOX_KILLS.labels("crashed").inc()
                raise BackendCrashed(f"The backend process crashed ({reason}).") from None
            raise BackendCrashed("The backend closed the connection.") from None
        finally:
            self._ended()

    def _kept_connections(self) -> KeptConnections:
        if self._kept is None:
            self._kept = KeptConnections(self.serve_path)
        return self._kept
