"""The bridge: app-scoped calls from the sandbox's own process only, carrying no secret app code could steal."""

import json
import socket

import pytest

from published_api.bridge import Caller, dispatch
from tests.support.publishing import HEALTH, publish

STAGE_MODULES = """
import { Hono } from "hono";
import { inference } from "@stage/inference";
import { compute } from "@stage/compute";
const app = new Hono();
app.get("/inference", async (c) => {
  try { return c.text(String(await inference.chat({ model: "gpt-4o-mini", messages: [] }))); }
  catch (e) { return c.text(`${e.name}: ${e.message}`, 503); }
});
app.get("/compute", async (c) => {
  try { return c.text(String(await compute.query("tasks", "list", {}))); }
  catch (e) { return c.text(`${e.name}: ${e.message}`, 503); }
});
export default app;
"""


@pytest.mark.django_db
def test_apps_importing_inference_and_compute_compile_and_serve(client, user):
    app = publish(
        user,
        STAGE_MODULES.replace("export default app;", 'app.get("/health", (c) => c.text("ok"));\nexport default app;'),
    )
    assert client.get(f"/stage/{app.sid}/api/health").content == b"ok"


@pytest.mark.django_db
def test_unknown_and_malformed_operations_are_refused_and_egress_still_applies():
    caller = Caller(app_sid="app_x", session_id="k1")
    assert dispatch(caller, {"op": 7})["ok"] is False
    assert dispatch(caller, {"op": "shell.exec"})["error"]["message"] == "Unknown bridge operation: shell.exec"
    refused = dispatch(caller, {"op": "fetch", "args": {"url": "http://169.254.169.254/"}})
    assert refused["error"]["code"] == "EGRESS_REFUSED"


def _call(path: str, message: dict) -> dict:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(path)
        sock.sendall(json.dumps(message).encode() + b"\n")
        return json.loads(sock.makefile().readline())


@pytest.mark.django_db
def test_the_bridge_answers_only_its_own_sandbox(client, user, backend_runtime, allow_local):
    # given a running backend and its bridge socket
    app = publish(user, HEALTH)
    client.get(f"/stage/{app.sid}/api/health")
    bridge = str(backend_runtime.processes()[0].dir / "bridge.sock")
    # when any other process (here: the test itself) connects and asks for a fetch
    reply = _call(bridge, {"op": "fetch", "args": {"url": allow_local.url("/")}})
    # then the kernel's word on the peer refuses it, and nothing went out
    assert reply["error"] == {"code": "UNAUTHORIZED", "message": "Not this bridge's sandbox."}
    assert allow_local.requests == []


FAN_OUT = """export default { fetch: async (r: Request) => {
  const url = new URL(r.url).searchParams.get("url")!;
  const bodies = await Promise.all(Array.from({ length: 100 }, async (_, i) => (await fetch(`${url}?i=${i}`)).text()));
  return new Response(String(bodies.filter((b) => b === "ok").length));
} };"""


@pytest.mark.django_db
def test_a_hundred_bridge_calls_at_once_all_succeed(client, user, allow_local):
    allow_local.routes["/n"] = (200, {}, b"ok")
    app = publish(user, FAN_OUT)
    response = client.get(f"/stage/{app.sid}/api/", {"url": allow_local.url("/n")})
    assert response.content == b"100"
    assert len(allow_local.requests) == 100


# The attack that found the old token: wrap the connection's write before calling fetch(), and read what the
# harness sends the platform.
WIRETAP = """export default { fetch: async (r: Request) => {
  const url = new URL(r.url).searchParams.get("url")!;
  const probe = await Deno.connect({ transport: "unix", path: Deno.args[1] });
  const proto = Object.getPrototypeOf(probe);
  probe.close();
  const write = proto.write;
  const lines: string[] = [];
  proto.write = function (bytes: Uint8Array) {
    lines.push(new TextDecoder().decode(bytes));
    return write.call(this, bytes);
  };
  const status = (await fetch(url)).status;
  const env = (() => { try { return Deno.env.toObject(); } catch (e) { return e.name; } })();
  return Response.json({ status, lines, env });
} };"""


@pytest.mark.django_db
def test_app_code_that_wiretaps_the_bridge_finds_no_secret_on_it(client, user, allow_local):
    allow_local.routes["/n"] = (200, {}, b"ok")
    app = publish(user, WIRETAP)
    seen = client.get(f"/stage/{app.sid}/api/", {"url": allow_local.url("/n")}).json()
    # the tap worked: it saw the bridge line of its own fetch, which went through
    assert seen["status"] == 200 and seen["lines"], seen
    messages = [json.loads(line) for line in "".join(seen["lines"]).splitlines()]
    assert [sorted(message) for message in messages] == [["args", "id", "op"]], "nothing but the operation travels"
    assert seen["env"] == "NotCapable"  # and the process may read no environment variable at all


OUT_OF_ORDER = """export default { fetch: async (r: Request) => {
  const origin = new URL(r.url).searchParams.get("origin")!;
  const done: number[] = [];
  const matched = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
    const response = await fetch(`${origin}/d${i}`);
    done.push(i);
    return response.headers.get("x-n") === String(i);
  }));
  return Response.json({ done, matched: matched.filter(Boolean).length });
} };"""


@pytest.mark.django_db
def test_one_kept_connection_carries_concurrent_calls_answered_out_of_order(client, user, backend_runtime, allow_local):
    # given routes that answer later the earlier they are asked for
    for n in range(12):
        allow_local.routes[f"/d{n}"] = (200, {"x-n": str(n)}, (12 - n) * 0.04)
    app = publish(user, OUT_OF_ORDER)
    for _ in range(3):
        # when a backend makes twelve calls at once, three requests in a row
        seen = client.get(f"/stage/{app.sid}/api/", {"origin": allow_local.origin}).json()
        # then each call gets its own answer, and the quick ones come back first
        assert seen["matched"] == 12, seen
        assert seen["done"] != sorted(seen["done"]), seen
    # all over the one connection the sandbox keeps
    assert backend_runtime.processes()[0].bridge.accepted == 1


@pytest.mark.django_db
def test_a_dropped_bridge_connection_is_made_again(client, user, backend_runtime, allow_local):
    allow_local.routes["/n"] = (200, {}, b"ok")
    app = publish(user, FAN_OUT)
    assert client.get(f"/stage/{app.sid}/api/", {"url": allow_local.url("/n")}).content == b"100"
    bridge = backend_runtime.processes()[0].bridge
    assert bridge.accepted == 1
    # when the platform drops the connection between two requests
    bridge.hang_up()
    # then the next calls go on a new one, all of them answered
    assert client.get(f"/stage/{app.sid}/api/", {"url": allow_local.url("/n")}).content == b"100"
    assert bridge.accepted == 2
    assert len(allow_local.requests) == 200
