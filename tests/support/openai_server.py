"""A real HTTP server on 127.0.0.1 speaking the OpenAI wire format (what the `openai` package sends and parses).

/v1/chat/completions answers "Summary: <first words of the last message>", /v1/embeddings a 3-dimensional vector
per input, /v1/images/generations one URL or b64 image. Errors in OpenAI's JSON shape: a key other than
VALID_KEY is 401, model "rate-limited" is 429, model "broken" is 500. Every request is recorded.
`use_as_default_provider` makes it the provider `openai` that Stage reads from its settings.
"""

import json

from tests.support.loopback import LoopbackServer, QuietHandler

VALID_KEY = "sk-test-local"


def _error(status: int, message: str, kind: str) -> tuple[int, dict]:
    return status, {"error": {"message": message, "type": kind, "param": None, "code": kind}}


def _chat(body: dict) -> tuple[int, dict]:
    last = str(body["messages"][-1]["content"])
    text = "Summary: " + " ".join(last.split()[1:6])
    return 200, {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": sum(len(str(m["content"]).split()) for m in body["messages"]),
            "completion_tokens": len(text.split()),
            "total_tokens": 0,
        },
    }


def _embed(body: dict) -> tuple[int, dict]:
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = [
        {"object": "embedding", "index": i, "embedding": [float(len(text)), float(len(text.split())), 0.5]}
        for i, text in enumerate(inputs)
    ]
    tokens = sum(len(text.split()) for text in inputs)
    return 200, {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def _images(body: dict) -> tuple[int, dict]:
    item = {"b64_json": "aW1hZ2U="} if body.get("response_format") == "b64_json" else {"url": "https://img.local/1.png"}
    return 200, {"created": 1_700_000_000, "data": [item]}


ROUTES = {"/v1/chat/completions": _chat, "/v1/embeddings": _embed, "/v1/images/generations": _images}


class _Handler(QuietHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.read_body() or b"{}")
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        route = ROUTES.get(self.path)
        if self.headers.get("Authorization") != f"Bearer {VALID_KEY}":
            status, payload = _error(401, "Incorrect API key provided.", "invalid_api_key")
        elif route is None:
            status, payload = _error(404, f"Unknown path {self.path}", "not_found")
        elif body.get("model") == "rate-limited":
            status, payload = _error(429, "Rate limit reached for requests.", "rate_limit_exceeded")
        elif body.get("model") == "broken":
            status, payload = _error(500, "The server had an error while processing your request.", "server_error")
        else:
            status, payload = route(body)
        self.respond(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})


class OpenAIServer(LoopbackServer):
    def __init__(self):
        super().__init__(_Handler)
        self.httpd.requests = []

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    @property
    def requests(self) -> list:
        return self.httpd.requests


def use_as_default_provider(settings, server: OpenAIServer) -> None:
    """The default provider `openai` from the environment (pytest-django's `settings`), pointed at the server."""
    settings.OPENAI_API_KEY = VALID_KEY
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
