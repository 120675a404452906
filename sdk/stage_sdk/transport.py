"""HTTP for the sync and async clients: one request description, one retry policy, one envelope parser.

Retries happen on 429 and 503 only (the two answers that mean "not processed, try later"), with exponential
backoff and full jitter, honouring ``Retry-After`` when the server sends it. Anything else is answered at once.
"""

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from stage_sdk.errors import StageError

RETRY_STATUSES = frozenset({429, 503})
USER_AGENT = "stage-sdk-python/0.1.0"
CODES_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    502: "UPSTREAM_UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "TIMEOUT",
}


def segment(value: str) -> str:
    """Quote one URL path segment so an id or a path can never change which endpoint is called."""
    if not isinstance(value, str) or not value:
        raise StageError("VALIDATION_ERROR", f"expected a non-empty string, got {value!r}")
    if set(value) == {"."}:
        return value.replace(".", "%2E")  # httpx would resolve "." and ".." away; the server judges them
    return quote(value, safe="")


def file_path(path: str) -> str:
    """An absolute session path as URL segments: "/app/App.tsx" -> "app/App.tsx", each segment quoted."""
    if not isinstance(path, str) or not path.strip("/"):
        raise StageError("VALIDATION_ERROR", f"expected a file path like /app/App.tsx, got {path!r}")
    return "/".join(segment(part) for part in path.lstrip("/").split("/"))


@dataclass(frozen=True)
class Call:
    """One API request and how to turn its ``data`` into a result."""

    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    parse: Callable[[Any], Any] = lambda data: data
    raw: Callable[[httpx.Response], Any] | None = None  # for answers that are not always enveloped (runs)


@dataclass(frozen=True)
class Poll:
    """Ask ``call`` again every ``interval`` seconds until ``done(result)``; ``expired(last)`` (raising) when
    ``timeout`` seconds have passed first."""

    call: Call
    done: Callable[[Any], bool]
    timeout: float
    expired: Callable[[Any], Any]
    interval: float = 0.2


@dataclass
class Settings:
    gateway_url: str
    api_key: str | None
    timeout: float = 30.0
    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0

    def client_kwargs(self) -> dict[str, Any]:
        if not self.gateway_url.startswith(("http://", "https://")):
            message = f"gateway_url must start with http:// or https://: {self.gateway_url}"
            raise StageError("CONFIGURATION_ERROR", message)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return {"base_url": self.gateway_url.rstrip("/"), "headers": headers, "timeout": self.timeout}

    def retry_delay(self, attempt: int, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, or None when this answer is final."""
        if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
            return None
        retry_after = retry_after_seconds(response.headers.get("Retry-After", ""))
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        return random.uniform(0, min(self.max_backoff, self.backoff * 2**attempt))  # noqa: S311


def retry_after_seconds(value: str) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date (RFC 9110)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def request_kwargs(call: Call) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"headers": call.headers}
    if call.json is not None:
        kwargs["json"] = call.json
    if call.params:
        kwargs["params"] = {key: value for key, value in call.params.items() if value is not None}
    return kwargs


def envelope(response: httpx.Response) -> dict | None:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if isinstance(body, dict) and isinstance(body.get("success"), bool):
        return body
    return None


def error_from(response: httpx.Response, body: dict | None) -> StageError:
    status = response.status_code
    if body is not None and isinstance(body.get("error"), dict):
        error = body["error"]
        return StageError(
            str(error.get("code") or CODES_BY_STATUS.get(status, "ERROR")),
            str(error.get("message") or response.reason_phrase),
            status,
            error.get("details"),
        )
    snippet = response.text[:200].strip()
    message = f"HTTP {status} {response.reason_phrase} from {response.request.url}"
    if snippet:
        message += f": {snippet}"
    return StageError(CODES_BY_STATUS.get(status, "BAD_RESPONSE"), message, status)


def result(call: Call, response: httpx.Response) -> Any:
    """The parsed ``data`` of a successful envelope, or a StageError."""
    if call.raw is not None:
        return call.raw(response)
    body = envelope(response)
    if body is None or not body["success"] or response.status_code >= 400:
        if body is None and response.status_code < 400:
            raise StageError("BAD_RESPONSE", f"not a Stage envelope from {response.request.url}", response.status_code)
        raise error_from(response, body)
    return call.parse(body.get("data"))


def transport_error(exc: httpx.TransportError, settings: Settings) -> StageError:
    if isinstance(exc, httpx.TimeoutException):
        return StageError("TIMEOUT", f"no answer from {settings.gateway_url} within {settings.timeout}s")
    return StageError("CONNECTION_ERROR", f"cannot reach {settings.gateway_url}: {exc}")


class SyncTransport:
    def __init__(self, settings: Settings, http: httpx.Client | None = None):
        self.settings = settings
        self.http = http or httpx.Client(**settings.client_kwargs())

    def call(self, call: Call) -> Any:
        attempt = 0
        while True:
            try:
                response = self.http.request(call.method, call.path, **request_kwargs(call))
            except httpx.TransportError as exc:
                raise transport_error(exc, self.settings) from exc
            delay = self.settings.retry_delay(attempt, response)
            if delay is None:
                return result(call, response)
            attempt += 1
            time.sleep(delay)

    def poll(self, poll: Poll) -> Any:
        deadline = time.monotonic() + poll.timeout
        while True:
            last = self.call(poll.call)
            if poll.done(last):
                return last
            if time.monotonic() >= deadline:
                return poll.expired(last)
            time.sleep(poll.interval)

    def close(self) -> None:
        self.http.close()


class AsyncTransport:
    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None):
        self.settings = settings
        self.http = http or httpx.AsyncClient(**settings.client_kwargs())

    async def call(self, call: Call) -> Any:
        attempt = 0
        while True:
            try:
                response = await self.http.request(call.method, call.path, **request_kwargs(call))
            except httpx.TransportError as exc:
                raise transport_error(exc, self.settings) from exc
            delay = self.settings.retry_delay(attempt, response)
            if delay is None:
                return result(call, response)
            attempt += 1
            await asyncio.sleep(delay)

    async def poll(self, poll: Poll) -> Any:
        deadline = time.monotonic() + poll.timeout
        while True:
            last = await self.call(poll.call)
            if poll.done(last):
                return last
            if time.monotonic() >= deadline:
                return poll.expired(last)
            await asyncio.sleep(poll.interval)

    async def aclose(self) -> None:
        await self.http.aclose()
