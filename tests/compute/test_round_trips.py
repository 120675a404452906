"""Round trips to PostgreSQL, counted on the wire: the store's connections go through a TCP proxy that counts the
bursts each connection sends (a burst: what the client sends before PostgreSQL answers), one per round trip.

A mutation made of writes only (one insert, patch or delete) opens, writes and commits in one round trip, from
the store and from an app's backend alike; one that reads first takes two (the read, then writes and commit)."""

import contextlib
import socket
import threading

import pytest
from django.db import connections

from core.errors import NotFound
from published_api.compute import store
from published_api.compute.models import ComputeDocument
from tests.support.publishing import publish

pytestmark = pytest.mark.postgres


class BurstCounter:
    """A TCP proxy to PostgreSQL counting, over all its connections, each change of turn to the client."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream, self.bursts, self._lock = upstream, 0, threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                server = socket.create_connection(self.upstream)
                turn = {"client": False}  # whether the client spoke last on this connection
                self._sockets += [client, server]
                threading.Thread(target=self._pump, args=(client, server, turn, True), daemon=True).start()
                threading.Thread(target=self._pump, args=(server, client, turn, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, turn: dict, from_client: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                with self._lock:
                    if from_client and not turn["client"]:
                        self.bursts += 1
                    turn["client"] = from_client
                sink.sendall(data)

    def close(self) -> None:
        self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):  # wakes the pump blocked in recv(), which close() alone would not
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def wire():
    """The compute store's connections through a BurstCounter (Django's own connection is left as it is)."""
    conf = connections["default"].settings_dict
    saved = conf["HOST"], conf["PORT"]
    counter = BurstCounter((saved[0] or "127.0.0.1", int(saved[1] or 5432)))
    conf["HOST"], conf["PORT"] = "127.0.0.1", str(counter.port)
    store.close_idle_connections()
    try:
        yield counter
    finally:
        conf["HOST"], conf["PORT"] = saved
        store.close_idle_connections()
        counter.close()


def round_trips(counter: BurstCounter, call) -> int:
    before = counter.bursts
    call()
    return counter.bursts - before


def once(*writes: dict) -> None:
    store.commit_once(app_sid="app_rt", mode="mutation", writes=list(writes))


@pytest.mark.django_db(transaction=True)
def test_a_mutation_of_one_write_commits_in_one_round_trip(wire):
    once({"action": "insert", "table": "t", "doc": {"warm": True}})  # the pool makes its connection
    doc_id = "a" * 20
    assert round_trips(wire, lambda: once({"action": "insert", "table": "t", "doc": {"n": 1}, "id": doc_id})) == 1
    assert round_trips(wire, lambda: once({"action": "patch", "id": doc_id, "fields": {"n": 2, "gone": None}})) == 1
    assert ComputeDocument.objects.get(public_id=doc_id).doc == {"n": 2}
    assert round_trips(wire, lambda: once({"action": "delete", "id": doc_id})) == 1
    assert not ComputeDocument.objects.filter(public_id=doc_id).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_takes_the_writes_before_it_back():
    with pytest.raises(NotFound, match="Document not found: missing"):
        once(
            {"action": "insert", "table": "t", "doc": {"ghost": True}},
            {"action": "patch", "id": "missing", "fields": {}},
        )
    assert not ComputeDocument.objects.filter(app_sid="app_rt").exists()
    store.close_idle_connections()


@pytest.mark.django_db(transaction=True)
def test_a_read_then_a_write_is_two_round_trips(wire):
    once({"action": "insert", "table": "t", "doc": {"n": 1}, "id": "b" * 20})

    def read_then_patch():
        txn = store.begin(app_sid="app_rt", mode="mutation")
        assert store.op(app_sid="app_rt", args={"txn": txn, "action": "get", "id": "b" * 20})["n"] == 1
        store.end(
            app_sid="app_rt", txn_id=txn, commit=True, writes=[{"action": "patch", "id": "b" * 20, "fields": {"n": 2}}]
        )

    assert round_trips(wire, read_then_patch) == 2
    assert ComputeDocument.objects.get(public_id="b" * 20).doc == {"n": 2}


INSERT = """import { mutation } from "@stage/compute";
export const add = mutation({ handler: async (ctx, doc) => await ctx.db.insert("items", doc) });
"""
BACKEND = """import { Hono } from "hono";
import { compute } from "@stage/compute";
const app = new Hono();
app.post("/add", async (c) => c.json(await compute.mutation("items", "add", await c.req.json())));
export default app;
"""


@pytest.mark.django_db
def test_a_backends_one_insert_mutation_is_one_round_trip(client, user, wire):
    app = publish(user, {"/app/src/app.ts": BACKEND, "/app/compute/items.ts": INSERT}, name="rt")
    add = lambda: client.post(f"/stage/{app.sid}/api/add", {"title": "x"}, content_type="application/json")  # noqa: E731
    assert add().status_code == 200  # starts the process; the pool makes its connection
    responses = []
    assert round_trips(wire, lambda: responses.append(add())) == 1
    doc_id = responses[0].json()
    assert ComputeDocument.objects.get(public_id=doc_id).doc == {"title": "x"}
