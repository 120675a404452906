"""A request as the gateway reads it, and the answer it gives, apart from Django's request and response objects.

The gateway's views make a Call from Django's request; under the production server, the gateway's own ASGI
handler makes one straight from the ASGI scope for the platform's gateway path (published_api/asgi.py), which
spares every backend request the building of a request and a response object. Both run the same gateway code
(published_api/gateway.py). A Django request is built for a Call only when a check needs one (a preview's
caller), which a public channel never does.
"""

import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from core.api.envelope import error_body
from core.errors import StageError, ValidationFailed


class Call:
    __slots__ = ("_make_request", "_read", "_request", "headers", "method", "raw_query")

    def __init__(self, *, method: str, headers: list[tuple[str, str]], raw_query: str, read, make_request):
        self.method = method
        self.headers = headers  # as received, in order; repeated headers stay separate
        self.raw_query = raw_query
        self._read = read
        self._request = None
        self._make_request: Callable = make_request

    @classmethod
    def of(cls, request) -> "Call":
        return cls(
            method=request.method,
            headers=list(request.headers.items()),
            raw_query=request.META.get("QUERY_STRING", ""),
            read=request.read,
            make_request=lambda: request,
        )

    def header(self, name: str) -> str | None:
        """The first value of a header (`name` in lower case), or None."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def read(self, size: int) -> bytes:
        return self._read(size)

    @property
    def django_request(self):
        if self._request is None:
            self._request = self._make_request()
        return self._request


class Answer:
    """Status, headers (one entry per name, merged as they came) and body."""

    __slots__ = ("_headers", "body", "status")

    def __init__(self, status: int, body: bytes):
        self.status, self.body = status, body
        self._headers: dict[str, tuple[str, str]] = {}  # lower-cased name -> (name, value)

    def __setitem__(self, name: str, value: str) -> None:
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValidationFailed("A backend header holds a line break.")
        self._headers[name.lower()] = (name, value)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._headers

    def add(self, name: str, value: str) -> None:
        """A header the answer may already have: a repeat joins the value after a comma (Content-Type replaces)."""
        lower = name.lower()
        if lower in self._headers and lower != "content-type":
            self[name] = f"{self._headers[lower][1]}, {value}"
        else:
            self[name] = value

    def setdefault(self, name: str, value: str) -> None:
        if name.lower() not in self._headers:
            self[name] = value

    @property
    def headers(self) -> list[tuple[str, str]]:
        return list(self._headers.values())

    def as_response(self) -> HttpResponse:
        response = HttpResponse(self.body, status=self.status)
        for name, value in self._headers.values():
            response.headers[name] = value
        return response


def _json(body: dict) -> bytes:
    return json.dumps(body, cls=DjangoJSONEncoder).encode()


def error_answer(error: StageError) -> Answer:
    answer = Answer(int(error.status_code), _json(error_body(error.code, error.message, error.details)))
    answer["Content-Type"] = "application/json"
    if getattr(error, "retry_after", None):
        answer["Retry-After"] = str(error.retry_after)
    return answer
