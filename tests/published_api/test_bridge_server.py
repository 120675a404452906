"""The bridge's platform end on its own: kept-alive connections carrying many calls, answered as each is ready,
served by one event-loop thread for every bridge of the process. The test process makes itself the bridge's
sandbox (its own session is the one the bridge accepts), so the calls are real (outbound fetches under egress)."""

import contextlib
import json
import os
import socket
import threading
import time

import pytest

from published_api.bridge import MAX_LINE, BridgeServer, Caller

CALLER = Caller(app_sid="app_bridge_test", session_id="k_bridge")


@contextlib.contextmanager
def serving(tmp_path, name: str = "bridge.sock", *, ours: bool = True):
    path = str(tmp_path / name)
    bridge = BridgeServer(path, caller=CALLER)
    bridge.sandbox_session = os.getsid(0) if ours else None
    try:
        yield bridge, path
    finally:
        bridge.close()


def connected(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(10)
    sock.connect(path)
    return sock


def send(sock: socket.socket, *messages: dict) -> None:
    sock.sendall(b"".join(json.dumps(message).encode() + b"\n" for message in messages))


def answers(sock: socket.socket, count: int) -> list[dict]:
    reader = sock.makefile("rb")
    return [json.loads(reader.readline()) for _ in range(count)]


def fetch(call_id, url: str) -> dict:
    return {"id": call_id, "op": "fetch", "args": {"url": url}}


def test_one_connection_carries_many_calls_at_once_each_answered_when_ready(tmp_path, allow_local):
    # given routes that answer later the earlier they are asked for
    for n in range(10):
        allow_local.routes[f"/d{n}"] = (200, {"x-n": str(n)}, (10 - n) * 0.04)
    with serving(tmp_path) as (bridge, path), connected(path) as sock:
        # when one connection sends ten calls at once
        started = time.monotonic()
        send(sock, *(fetch(n, allow_local.url(f"/d{n}")) for n in range(10)))
        got = answers(sock, 10)
        elapsed = time.monotonic() - started
        # then every call is answered, with its own id and its own result, the quick ones first
        order = [answer["id"] for answer in got]
        assert sorted(order) == list(range(10)) and order != sorted(order), order
        for answer in got:
            assert answer["ok"] and ["x-n", str(answer["id"])] in answer["result"]["headers"], answer
        assert elapsed < 0.4 * 2, "the calls ran at once, not one after another (0.4 s is the slowest alone)"
        # and the same connection serves the next call
        send(sock, {"id": "again", "op": "nosuch"})
        assert answers(sock, 1)[0]["id"] == "again"
        assert bridge.accepted == 1


def test_calls_without_an_id_malformed_lines_and_oversized_lines(tmp_path):
    with serving(tmp_path) as (_bridge, path), connected(path) as sock:
        sock.sendall(b"not json\n")
        send(sock, {"op": "nosuch"}, {"id": 3, "op": 7})
        malformed, unknown, bad = answers(sock, 3)
        assert malformed == {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": "Malformed bridge message."}}
        assert "id" not in unknown and unknown["error"]["code"] == "NOT_AVAILABLE"
        assert bad == {"id": 3, "ok": False, "error": {"code": "VALIDATION_ERROR", "message": "op is required"}}
    with serving(tmp_path, "big.sock") as (_bridge, path), connected(path) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it hangs up once the limit is passed
            sock.sendall(b"x" * (MAX_LINE + 1024) + b"\n")
        reader = sock.makefile("rb")
        assert json.loads(reader.readline())["error"]["code"] == "PAYLOAD_TOO_LARGE"
        assert reader.readline() == b"", "a stream that cannot be framed any more is closed"


def test_a_process_outside_the_sandbox_is_refused_with_its_call_id(tmp_path):
    with serving(tmp_path, ours=False) as (bridge, path), connected(path) as sock:
        send(sock, {"id": 9, "op": "nosuch"})
        reader = sock.makefile("rb")
        assert json.loads(reader.readline()) == {
            "id": 9,
            "ok": False,
            "error": {"code": "UNAUTHORIZED", "message": "Not this bridge's sandbox."},
        }
        assert reader.readline() == b""
        assert bridge.accepted == 0


def test_hang_up_and_close_drop_connections_and_close_stops_listening(tmp_path):
    with serving(tmp_path) as (bridge, path):
        first = connected(path)
        send(first, {"id": 1, "op": "nosuch"})
        assert answers(first, 1)[0]["id"] == 1
        bridge.hang_up()
        assert first.recv(1) == b""
        second = connected(path)
        send(second, {"id": 2, "op": "nosuch"})
        assert answers(second, 1)[0]["id"] == 2
        assert bridge.accepted == 2
        bridge.close()
        assert second.recv(1) == b""
        with pytest.raises(ConnectionRefusedError):
            connected(path)


def test_hundreds_of_bridges_cost_no_thread_each(tmp_path):
    with serving(tmp_path, "warm.sock"):
        pass  # the process's bridge loop exists from here on
    before = threading.active_count()
    bridges = [BridgeServer(str(tmp_path / f"b{n}.sock"), caller=CALLER) for n in range(300)]
    try:
        for bridge in bridges:
            bridge.sandbox_session = os.getsid(0)
        socks = [connected(str(tmp_path / f"b{n}.sock")) for n in range(0, 300, 30)]
        for n, sock in enumerate(socks):
            send(sock, {"id": n, "op": "nosuch"})
        assert [answers(sock, 1)[0]["id"] for sock in socks] == list(range(len(socks)))
        pool_threads = threading.active_count() - before
        assert pool_threads <= len(socks), "no thread per bridge or connection (only the shared pool's threads)"
    finally:
        for bridge in bridges:
            bridge.close()
