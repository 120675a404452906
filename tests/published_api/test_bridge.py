"""The bridge: token-checked, app-scoped calls; inference and compute refused clearly until they land."""

import json
import socket
from pathlib import Path

import pytest

from published_api.bridge import Caller, dispatch
from tests.published_api.apps import HEALTH, publish

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


@pytest.mark.parametrize("op", ["inference.translate", "compute.schedule"])
def test_an_operation_of_a_module_not_yet_available_fails_with_a_clear_message(op):
    reply = dispatch(Caller(app_sid="app_x", session_id="k1"), {"op": op, "args": {}})
    assert reply["ok"] is False
    assert reply["error"]["message"] == f"@stage/{op.split('.')[0]} is not available yet on this platform ({op})."


def _call(path: str, message: dict) -> dict:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(path)
        sock.sendall(json.dumps(message).encode() + b"\n")
        return json.loads(sock.makefile().readline())


@pytest.mark.django_db
def test_the_bridge_refuses_a_wrong_token_and_malformed_messages(client, user, backend_runtime, allow_local):
    app = publish(user, HEALTH)
    client.get(f"/stage/{app.sid}/api/health")
    process = backend_runtime.processes()[0]
    bridge = str(process.dir / "bridge.sock")
    fetch = {"op": "fetch", "args": {"url": allow_local.url("/")}}
    assert _call(bridge, {**fetch, "token": "guess"})["error"]["code"] == "UNAUTHORIZED"
    assert _call(bridge, {"token": process.token, "op": 7})["ok"] is False
    assert _call(bridge, {"token": process.token, "op": "shell.exec"})["error"]["message"].startswith("Unknown")
    assert allow_local.requests == []
    # and the right token does reach the egress policy, which still refuses what it must
    refused = _call(bridge, {"token": process.token, "op": "fetch", "args": {"url": "http://169.254.169.254/"}})
    assert refused["error"]["code"] == "EGRESS_REFUSED"
    assert _call(bridge, {**fetch, "token": process.token})["result"]["status"] == 404


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


PEEK = """export default { fetch: () => Response.json({
  args: Deno.args,
  env: (() => { try { return Deno.env.toObject(); } catch (e) { return e.name; } })(),
  token: (() => { try { return Deno.env.get("STAGE_BRIDGE_TOKEN") ?? null; } catch (e) { return e.name; } })(),
}) };
"""


@pytest.mark.django_db
def test_the_bridge_token_is_neither_in_the_process_arguments_nor_left_for_app_code(client, user, backend_runtime):
    app = publish(user, PEEK)
    seen = client.get(f"/stage/{app.sid}/api/").json()
    process = backend_runtime.processes()[0]
    cmdline = Path(f"/proc/{process.proc.pid}/cmdline").read_bytes()  # readable by every local user
    assert process.token.encode() not in cmdline
    assert process.token not in json.dumps(seen)
    assert seen["token"] is None and seen["env"] == "NotCapable"  # read once and removed; no other variable readable
