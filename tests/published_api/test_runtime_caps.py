"""The runtime's caps: past its process or memory cap the least recently used idle sandbox is retired to make room,
a sandbox serving a request is never stopped, and with every sandbox busy a start is refused (503)."""

import threading
import time

import pytest
from django.test import Client

from published_api.metrics import SANDBOX_EVICTIONS
from tests.support.publishing import deploy, publish

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = """export default { fetch: async (r: Request) => {
  if (new URL(r.url).pathname === "/slow") await new Promise((done) => setTimeout(done, 1500));
  return new Response("%s");
} };"""


def served(runtime) -> set[str]:
    return {process.app_sid for process in runtime.processes()}


def gone(process, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while process.alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    return not process.alive()


def in_background(url: str) -> dict:
    answer = {}
    thread = threading.Thread(target=lambda: answer.update(response=Client().get(url)), daemon=True)
    thread.start()
    answer["thread"] = thread
    time.sleep(0.5)  # it is in flight
    return answer


def test_past_the_process_cap_the_least_recently_used_idle_sandbox_makes_room(client, user, settings, backend_runtime):
    settings.STAGE_RUNTIME_MAX_PROCESSES = 2
    a, b, c = (publish(user, SLOW % name, name=name) for name in "abc")
    evicted = SANDBOX_EVICTIONS._value.get()
    for app in (a, b, a):  # b is now the least recently used
        assert client.get(f"/stage/{app.sid}/api/").content == app.name.encode()
    (b_process,) = [process for process in backend_runtime.processes() if process.app_sid == b.sid]

    assert client.get(f"/stage/{c.sid}/api/").content == b"c"

    assert served(backend_runtime) == {a.sid, c.sid}
    assert gone(b_process) and SANDBOX_EVICTIONS._value.get() == evicted + 1
    assert client.get(f"/stage/{b.sid}/api/").content == b"b"  # started again on demand, in a's place
    assert served(backend_runtime) == {b.sid, c.sid}


def test_a_sandbox_serving_a_request_is_never_retired_and_with_none_idle_a_start_waits_its_turn(
    client, user, settings, backend_runtime
):
    settings.STAGE_RUNTIME_MAX_PROCESSES = 1
    slow, other = publish(user, SLOW % "slow", name="slow"), publish(user, SLOW % "other", name="other")
    assert client.get(f"/stage/{slow.sid}/api/").status_code == 200
    pending = in_background(f"/stage/{slow.sid}/api/slow")

    busy = client.get(f"/stage/{other.sid}/api/")

    assert busy.status_code == 503 and busy.json()["error"]["code"] == "BACKEND_BUSY"
    pending["thread"].join(10)
    assert pending["response"].status_code == 200 and pending["response"].content == b"slow"
    assert client.get(f"/stage/{other.sid}/api/").content == b"other"  # now the idle one makes room
    assert served(backend_runtime) == {other.sid}


def test_a_replaced_sandbox_finishes_the_request_it_is_serving(client, user, backend_runtime):
    app = publish(user, SLOW % "v1")
    assert client.get(f"/stage/{app.sid}/api/").content == b"v1"
    (old,) = backend_runtime.processes()
    pending = in_background(f"/stage/{app.sid}/api/slow")

    deploy(app, SLOW % "v2")
    assert client.get(f"/stage/{app.sid}/api/").content == b"v2"

    pending["thread"].join(10)
    assert pending["response"].status_code == 200 and pending["response"].content == b"v1"
    assert gone(old)


def test_the_memory_budget_holds_what_the_sandboxes_hold_in_all(client, user, settings, backend_runtime):
    settings.STAGE_RUNTIME_MEMORY_MB = 48  # room for two or three idle sandboxes, not five
    apps = [publish(user, SLOW % index, name=f"m{index}") for index in range(5)]
    for app in apps:
        assert client.get(f"/stage/{app.sid}/api/").status_code == 200
        held = sum(process.memory_bytes() for process in backend_runtime.processes())
        assert held <= 48 << 20
    assert 1 <= len(backend_runtime.processes()) < 5


def test_a_warm_sandbox_is_given_the_app_and_the_pool_is_filled_again(client, user, settings, backend_runtime):
    settings.STAGE_RUNTIME_WARM = 1
    backend_runtime._fill_warm_pool()
    deadline = time.monotonic() + 10
    while backend_runtime.warm_count() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    (warm,) = backend_runtime._warm
    app = publish(user, SLOW % "warm")

    assert client.get(f"/stage/{app.sid}/api/").content == b"warm"

    (serving,) = backend_runtime.processes()
    assert serving is warm and serving.app_sid == app.sid  # the process started ahead of need, now the app's
    while backend_runtime.warm_count() < 1 and time.monotonic() < deadline + 10:
        time.sleep(0.05)
    assert backend_runtime.warm_count() == 1 and backend_runtime._warm[0] is not warm
    # the load header is the platform's alone: a caller sending it reaches the app like any request
    assert client.get(f"/stage/{app.sid}/api/", HTTP_X_STAGE_LOAD="1").content == b"warm"


def test_a_caller_cannot_drain_a_sandbox(client, user, backend_runtime):
    app = publish(user, SLOW % "kept")
    assert client.get(f"/stage/{app.sid}/api/").content == b"kept"
    (process,) = backend_runtime.processes()

    assert client.get(f"/stage/{app.sid}/api/", HTTP_X_STAGE_DRAIN="1").content == b"kept"  # the app answered it

    time.sleep(0.3)
    assert process.alive() and backend_runtime.processes() == [process]
    assert client.get(f"/stage/{app.sid}/api/").content == b"kept"
