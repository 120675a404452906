"""Real local servers speaking the real wire formats: SMTP (aiosmtpd) and HTTP (Google token + Sheets v4,
Slack incoming webhooks, signed webhooks). Nothing of ours is mocked."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from urllib.parse import parse_qs, unquote, urlsplit

from aiosmtpd.controller import Controller

from bench.harness import free_port
from tests.support.loopback import LoopbackServer, QuietHandler


class _Collector:
    def __init__(self):
        self.messages = []
        self.refuse = 0  # answer 451 to this many DATA commands first

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": parsed})
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.collector = _Collector()
        self.port = free_port()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.collector.messages

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class HttpServer(LoopbackServer):
    """A threaded HTTP server; `route(request) -> (status, json_body)` decides every answer."""

    def __init__(self, route: Callable[[Recorded], tuple[int, object]]):
        self.route = route
        self.requests: list[Recorded] = []
        owner = self

        class Handler(QuietHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                recorded = Recorded(
                    method=self.command,
                    path=unquote(parts.path),
                    query=parse_qs(parts.query),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=self.read_body(),
                )
                owner.requests.append(recorded)
                status, body = owner.route(recorded)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.respond(status, data, {"Content-Type": "application/json"})

            do_GET = do_POST = do_PUT = _handle

        super().__init__(Handler)
        self.url = self.origin


class FakeGoogle:
    """Google's OAuth token endpoint and the Sheets v4 endpoints the blocks use, over real HTTP."""

    def __init__(self):
        self.sheets: dict[str, dict] = {}
        self.refresh_tokens = {"1//good-refresh"}
        self.fail_next = 0

    def route(self, request: Recorded) -> tuple[int, object]:
        if request.path == "/token":
            form = parse_qs(request.body.decode())
            grant = form.get("grant_type", [""])[0]
            if grant == "refresh_token" and form.get("refresh_token", [""])[0] in self.refresh_tokens:
                return 200, {"access_token": "ya29.local-token", "expires_in": 3600, "token_type": "Bearer"}
            if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer" and form.get("assertion"):
                return 200, {"access_token": "ya29.local-sa-token", "expires_in": 3600, "token_type": "Bearer"}
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        if request.headers.get("authorization", "") not in ("Bearer ya29.local-token", "Bearer ya29.local-sa-token"):
            return 401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}}
        if self.fail_next:
            self.fail_next -= 1
            return 503, {"error": {"code": 503, "message": "The service is currently unavailable."}}
        if request.method == "POST" and request.path == "/v4/spreadsheets":
            sheet_id = f"sheet{len(self.sheets) + 1}"
            self.sheets[sheet_id] = {"title": request.json()["properties"]["title"], "rows": []}
            return 200, {
                "spreadsheetId": sheet_id,
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit",
                "properties": {"title": self.sheets[sheet_id]["title"]},
            }
        parts = request.path.split("/")  # ['', 'v4', 'spreadsheets', id, 'values', range]
        if len(parts) == 6 and parts[4] == "values":
            sheet = self.sheets.get(parts[3])
            if sheet is None:
                return 404, {"error": {"code": 404, "message": "Requested entity was not found."}}
            if request.method == "POST" and parts[5].endswith(":append"):
                rows = request.json()["values"]
                start = len(sheet["rows"]) + 1
                sheet["rows"].extend(rows)
                tab = parts[5].split("!")[0]
                updated = f"{tab}!A{start}:{chr(64 + max(len(r) for r in rows))}{start + len(rows) - 1}"
                return 200, {"spreadsheetId": parts[3], "updates": {"updatedRange": updated, "updatedRows": len(rows)}}
            if request.method == "GET":
                return 200, {"range": parts[5], "majorDimension": "ROWS", "values": sheet["rows"]}
        return 404, {"error": {"code": 404, "message": "Not found"}}
