"""create_client() and create_async_client(): the entry points of the SDK."""

import os

import httpx

from stage_sdk.resources import Stage
from stage_sdk.transport import AsyncTransport, Settings, SyncTransport

DEFAULT_URL = "http://127.0.0.1:8000"


def _settings(gateway_url, api_key, timeout, max_retries, backoff) -> Settings:
    return Settings(
        gateway_url=gateway_url or os.environ.get("STAGE_URL") or DEFAULT_URL,
        api_key=api_key if api_key is not None else os.environ.get("STAGE_API_KEY"),
        timeout=timeout,
        max_retries=max_retries,
        backoff=backoff,
    )


class Client:
    """A synchronous Stage client. Use as a context manager or call ``close()``."""

    def __init__(self, settings: Settings, http: httpx.Client | None = None):
        self._transport = SyncTransport(settings, http)
        self.settings = settings
        self.stage = Stage(self._transport)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncClient:
    """The same surface as Client, every method awaitable. Use ``async with`` or ``await aclose()``."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None):
        self._transport = AsyncTransport(settings, http)
        self.settings = settings
        self.stage = Stage(self._transport)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()


def create_client(
    gateway_url: str | None = None,
    api_key: str | None = None,
    *,
    timeout: float = 30.0,
    max_retries: int = 3,
    backoff: float = 0.5,
) -> Client:
    """A client for ``gateway_url`` (default ``$STAGE_URL``) with ``api_key`` (default ``$STAGE_API_KEY``)."""
    return Client(_settings(gateway_url, api_key, timeout, max_retries, backoff))


def create_async_client(
    gateway_url: str | None = None,
    api_key: str | None = None,
    *,
    timeout: float = 30.0,
    max_retries: int = 3,
    backoff: float = 0.5,
) -> AsyncClient:
    return AsyncClient(_settings(gateway_url, api_key, timeout, max_retries, backoff))
