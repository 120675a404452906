"""Hostile backends: each attempt fails inside the sandbox while a neighbour app keeps answering correctly."""

import os
import threading
import time

import pytest
from django.db import connection

from tests.support.local_server import LocalServer
from tests.support.publishing import HEALTH, publish

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = {
    "deno-read": 'Deno.readTextFileSync("/etc/passwd")',
    "node-fs-read": '(await import("node:fs")).readFileSync("/etc/passwd", "utf8")',
    "deno-env": "JSON.stringify(Deno.env.toObject())",
    "node-process-env": '(await import("node:process")).default.env.STAGE_TEST_SECRET',
    "deno-spawn": 'new TextDecoder().decode((await new Deno.Command("id").output()).stdout)',
    "node-spawn": '(await import("node:child_process")).execSync("id").toString()',
    "ffi": 'String(Deno.dlopen("libc.so.6", { getpid: { parameters: [], result: "i32" } }).symbols.getpid())',
    "postgres": 'String((await Deno.connect({ hostname: "127.0.0.1", port: 5432 })).rid)',
    "redis": 'String((await Deno.connect({ hostname: "127.0.0.1", port: 6379 })).rid)',
    "platform-port": 'String((await Deno.connect({ hostname: "127.0.0.1", port: Number(c.req.query("port")) })).rid)',
    "platform-fetch": 'await (await fetch(`http://127.0.0.1:${c.req.query("port")}/`)).text()',
    "metadata-fetch": 'await (await fetch("http://169.254.169.254/latest/meta-data/")).text()',
    "metadata-decimal": 'await (await fetch("http://2852039166/latest/meta-data/")).text()',
    "constructor-chain": '(function () {}).constructor("return this")().Deno.readTextFileSync("/etc/passwd")',
    "constructor-process": '({}).constructor.constructor("return process")().env.STAGE_TEST_SECRET',
    "neighbour-socket": 'String((await Deno.connect({ transport: "unix", path: c.req.query("sock") })).rid)',
    "remote-import": 'String(await import(["https:", "//esm.sh/lodash"].join("")))',
    "file-import": 'String(await import(["file:", "//etc/passwd"].join("")))',
}


def hostile_source() -> str:
    routes = "\n".join(
        f"""app.get("/{name}", async (c) => {{
  try {{ return c.text("ESCAPED " + ({code})); }} catch (e) {{ return c.text("DENIED " + e); }}
}});"""
        for name, code in ATTEMPTS.items()
    )
    return f'import {{ Hono }} from "hono";\nconst app = new Hono();\n{routes}\nexport default app;\n'


@pytest.fixture
def neighbour(client, user):
    app = publish(user, HEALTH, name="neighbour")

    def answers():
        response = client.get(f"/stage/{app.sid}/api/health")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})

    answers()
    answers.app = app
    return answers


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=ATTEMPTS)
def test_escape_attempts_are_denied_and_the_neighbour_keeps_answering(
    client, user, neighbour, attempt, backend_runtime
):
    # given a platform HTTP port on loopback and a secret in the platform's environment
    os.environ["STAGE_TEST_SECRET"] = "s3cr3t-value"
    app = publish(user, hostile_source(), name="hostile")
    neighbour_sock = next(p.serve_path for p in backend_runtime.processes() if p.caller.app_sid == neighbour.app.sid)
    with LocalServer() as platform:
        platform.routes["/"] = (200, {}, b"platform-internal")
        # when
        response = client.get(f"/stage/{app.sid}/api/{attempt}", {"port": platform.port, "sock": neighbour_sock})
        # then
        body = response.content.decode()
        assert response.status_code == 200, body
        assert body.startswith("DENIED"), body
        assert "root:" not in body and "s3cr3t" not in body and "platform-internal" not in body
        assert platform.requests == []
    neighbour()


def _in_background(fn):
    result = {}

    def run():
        try:
            result["response"] = fn()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.parametrize(
    "source",
    [
        "export default { fetch: () => { while (true) {} } };",
        "export default { fetch: async () => { await new Promise((r) => setTimeout(r, 20)); while (true) {} } };",
    ],
    ids=["sync-loop", "loop-after-await"],
)
def test_a_spinning_backend_is_killed_at_the_deadline_while_the_neighbour_answers(
    client, user, neighbour, settings, source
):
    settings.STAGE_BACKEND_DEADLINE_SECONDS = 2.0
    app = publish(user, source, name="spinner")
    started = time.monotonic()
    thread, result = _in_background(lambda: client.get(f"/stage/{app.sid}/api/"))
    time.sleep(0.5)
    neighbour()  # during
    thread.join(10)
    elapsed = time.monotonic() - started
    response = result["response"]
    assert response.status_code == 504 and response.json()["error"]["code"] == "TIMEOUT"
    assert elapsed < 2.0 + 1.0
    neighbour()  # after


def test_a_memory_bomb_crashes_only_its_own_process_which_restarts(client, user, neighbour, settings):
    settings.STAGE_BACKEND_MEMORY_MB = 64
    source = """
export default { fetch: (r: Request) => {
  if (new URL(r.url).pathname === "/ok") return new Response("fine");
  const hoard = [];
  while (true) hoard.push(new Array(1_000_000).fill(Math.random()));
} };"""
    app = publish(user, source, name="bomb")
    thread, result = _in_background(lambda: client.get(f"/stage/{app.sid}/api/bomb"))
    neighbour()  # during
    thread.join(15)
    response = result["response"]
    assert response.status_code == 500 and response.json()["error"]["code"] == "BACKEND_CRASHED"
    neighbour()  # after
    assert client.get(f"/stage/{app.sid}/api/ok").content == b"fine"  # restarted on the next request


def test_a_100_mb_response_is_413(client, user, neighbour):
    app = publish(user, "export default { fetch: () => new Response(new Uint8Array(100 * 1024 * 1024)) };")
    response = client.get(f"/stage/{app.sid}/api/")
    assert response.status_code == 413 and response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    neighbour()


def test_globals_set_by_one_app_are_invisible_to_another(client, user, neighbour):
    source = """export default { fetch: (r: Request) => {
  if (new URL(r.url).pathname === "/set") { (globalThis as any).shared = "from-" + r.headers.get("x-stage-app"); }
  return new Response(String((globalThis as any).shared));
} };"""
    first, second = publish(user, source, name="a"), publish(user, source, name="b")
    assert client.get(f"/stage/{first.sid}/api/set").content.decode() == f"from-{first.sid}"
    assert client.get(f"/stage/{second.sid}/api/get").content == b"undefined"
    assert client.get(f"/stage/{first.sid}/api/get").content.decode() == f"from-{first.sid}"
    neighbour()
