"""@stage/compute end to end: functions bundled into the app's process, ctx.db over the PostgreSQL store."""

import time

import pytest

from core.errors import NotFound
from published_api.compute.models import ComputeDocument
from tests.support.publishing import publish

pytestmark = pytest.mark.postgres  # the compute store runs on PostgreSQL only

TASKS = """
import { query, mutation, action } from "@stage/compute";

export const add = mutation({ handler: async (ctx, { title, status, n, meta }) =>
  await ctx.db.insert("tasks", { title, status, n, meta }) });
export const list = query({ handler: async (ctx, { status }) =>
  await ctx.db.query("tasks").filter((q) => q.eq(q.field("status"), status)).collect() });
export const between = query({ handler: async (ctx, { lo, hi }) =>
  (await ctx.db.query("tasks").filter((q) => q.and(q.gte(q.field("n"), lo), q.lt(q.field("n"), hi))).order("desc")
    .collect()).map((d) => d.n) });
export const notDone = query({ handler: async (ctx) =>
  (await ctx.db.query("tasks")
    .filter((q) => q.or(q.not(q.eq(q.field("status"), "done")), q.eq(q.field("meta.pin"), true)))
    .collect()).map((d) => d.title) });
export const firstAndTake = query({ handler: async (ctx) => ({
  first: (await ctx.db.query("tasks").first())?.title ?? null,
  last: (await ctx.db.query("tasks").order("desc").first())?.title ?? null,
  two: (await ctx.db.query("tasks").take(2)).map((d) => d.title),
}) });
export const one = query({ handler: async (ctx, { title }) =>
  await ctx.db.query("tasks").filter((q) => q.eq(q.field("title"), title)).unique() });
export const page = query({ handler: async (ctx, { cursor }) =>
  await ctx.db.query("tasks").paginate({ numItems: 2, cursor: cursor ?? null }) });
export const get = query({ handler: async (ctx, { id }) => await ctx.db.get(id) });
export const sneakyWrite = query({ handler: async (ctx) => await ctx.db.insert("tasks", { title: "no" }) });
export const edit = mutation({ handler: async (ctx, { id, patch, replace }) => {
  if (patch) await ctx.db.patch(id, patch);
  if (replace) await ctx.db.replace(id, replace);
  return await ctx.db.get(id);
} });
export const remove = mutation({ handler: async (ctx, { id }) => {
  await ctx.db.delete(id);
  return await ctx.db.get(id);
} });
export const addThenFail = mutation({ handler: async (ctx, { title }) => {
  await ctx.db.insert("tasks", { title });
  throw new Error("changed my mind");
} });
export const summary = action({ handler: async (ctx, { title }) => {
  const id = await ctx.runMutation("tasks", "add", { title, status: "todo", n: 0 });
  const doc = await ctx.runQuery("tasks:get", { id });
  return { id, title: doc.title };
} });
"""

COUNTER = """
import { query, mutation } from "@stage/compute";
export const increment = mutation({ handler: async (ctx) => {
  const current = await ctx.db.query("counters").first();
  if (!current) return await ctx.db.insert("counters", { value: 1 });
  await ctx.db.patch(current._id, { value: current.value + 1 });
} });
export const value = query({ handler: async (ctx) => (await ctx.db.query("counters").collect()).map((d) => d.value) });
"""

BACKEND = """
import { Hono } from "hono";
import { compute } from "@stage/compute";
const app = new Hono();
app.post("/call/:kind/:module/:fn", async (c) => {
  try {
    const { kind, module, fn } = c.req.param();
    return c.json({ data: await compute[kind](module, fn, await c.req.json()) });
  } catch (e) { return c.json({ error: e.message }, 400); }
});
app.post("/increments", async (c) => {
  await Promise.all(Array.from({ length: 50 }, () => compute.mutation("counter", "increment")));
  return c.json(await compute.query("counter", "value"));
});
export default app;
"""

FILES = {"/app/src/app.ts": BACKEND, "/app/compute/tasks.ts": TASKS, "/app/compute/counter.ts": COUNTER}


@pytest.fixture
def app(user):
    return publish(user, FILES, name="compute")


def rest(api, app, kind, module, fn, args=None):
    return api.post(
        f"/api/v1/stage/apps/{app.sid}/compute/{kind}", {"module": module, "fn": fn, "args": args or {}}, format="json"
    )


def call(api, app, kind, fn, args=None, module="tasks"):
    response = rest(api, app, kind, module, fn, args)
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def via_backend(client, app, kind, module, fn, args=None):
    return client.post(f"/stage/{app.sid}/api/call/{kind}/{module}/{fn}", args or {}, content_type="application/json")


@pytest.mark.django_db
def test_insert_get_and_system_fields(api, app):
    doc_id = call(api, app, "mutation", "add", {"title": "a", "status": "todo", "n": 1})
    doc = call(api, app, "query", "get", {"id": doc_id})
    assert doc["_id"] == doc_id and doc["title"] == "a" and doc["n"] == 1
    assert isinstance(doc["_creationTime"], float | int) and doc["_creationTime"] > 1.7e12
    assert call(api, app, "query", "get", {"id": "nope"}) is None
    stored = ComputeDocument.objects.get(public_id=doc_id)
    assert stored.app_sid == app.sid and stored.table == "tasks" and "_id" not in stored.doc


@pytest.mark.django_db
def test_filters_order_take_first_unique_and_paginate(api, app):
    for i, (status, pin) in enumerate(
        [("todo", False), ("done", False), ("todo", False), ("done", True), ("doing", False)]
    ):
        call(api, app, "mutation", "add", {"title": f"t{i}", "status": status, "n": i, "meta": {"pin": pin}})
    assert [d["title"] for d in call(api, app, "query", "list", {"status": "todo"})] == ["t0", "t2"]
    assert call(api, app, "query", "between", {"lo": 1, "hi": 4}) == [3, 2, 1]
    assert call(api, app, "query", "notDone") == ["t0", "t2", "t3", "t4"]
    assert call(api, app, "query", "firstAndTake") == {"first": "t0", "last": "t4", "two": ["t0", "t1"]}
    assert call(api, app, "query", "one", {"title": "t3"})["n"] == 3
    assert call(api, app, "query", "one", {"title": "zz"}) is None
    pages, cursor = [], None
    while True:
        page = call(api, app, "query", "page", {"cursor": cursor})
        pages.append([d["title"] for d in page["page"]])
        cursor = page["continueCursor"]
        if page["isDone"]:
            break
    assert pages == [["t0", "t1"], ["t2", "t3"], ["t4"]]


@pytest.mark.django_db
def test_unique_with_two_matches_is_an_error(api, app):
    call(api, app, "mutation", "add", {"title": "same"})
    call(api, app, "mutation", "add", {"title": "same"})
    response = rest(api, app, "query", "tasks", "one", {"title": "same"})
    assert response.status_code == 400
    assert "unique() found more than one document in tasks" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_patch_replace_delete(api, app):
    doc_id = call(api, app, "mutation", "add", {"title": "a", "status": "todo", "n": 1})
    patched = call(api, app, "mutation", "edit", {"id": doc_id, "patch": {"status": "done", "n": None}})
    assert patched["status"] == "done" and "n" not in patched and patched["title"] == "a"
    replaced = call(api, app, "mutation", "edit", {"id": doc_id, "replace": {"title": "b"}})
    assert {k: v for k, v in replaced.items() if not k.startswith("_")} == {"title": "b"}
    assert replaced["_id"] == doc_id
    assert call(api, app, "mutation", "remove", {"id": doc_id}) is None
    assert not ComputeDocument.objects.filter(public_id=doc_id).exists()


@pytest.mark.django_db
def test_a_query_cannot_write_and_a_failed_mutation_writes_nothing(api, app):
    response = rest(api, app, "query", "tasks", "sneakyWrite")
    assert response.status_code == 400
    assert "not allowed in a query" in response.json()["error"]["message"]
    response = rest(api, app, "mutation", "tasks", "addThenFail", {"title": "ghost"})
    assert response.status_code == 400 and response.json()["error"]["message"] == "changed my mind"
    assert not ComputeDocument.objects.filter(app_sid=app.sid).exists()


@pytest.mark.django_db
def test_fifty_concurrent_increments_end_at_fifty(client, app):
    response = client.post(f"/stage/{app.sid}/api/increments")
    assert response.status_code == 200, response.content
    assert response.json() == [50]


@pytest.mark.django_db
def test_an_action_runs_its_own_query_and_mutation(api, app, client):
    result = call(api, app, "action", "summary", {"title": "from action"})
    assert call(api, app, "query", "get", {"id": result["id"]})["title"] == "from action" == result["title"]
    # the same functions from the app's own backend through the gateway
    response = via_backend(client, app, "query", "tasks", "list", {"status": "todo"})
    assert [d["title"] for d in response.json()["data"]] == ["from action"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "module", "fn", "message"),
    [
        ("query", "nosuch", "list", "Unknown compute module: nosuch (expected /app/compute/nosuch.ts)"),
        ("query", "tasks", "nosuch", "Unknown compute function: tasks.nosuch"),
        ("query", "tasks", "add", "tasks.add is a mutation, not a query"),
        ("mutation", "tasks", "toString", "Unknown compute function: tasks.toString"),
    ],
)
def test_unknown_module_or_function_is_an_error_naming_it(api, app, client, kind, module, fn, message):
    response = rest(api, app, kind, module, fn)
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "COMPUTE_ERROR", "message": message}
    assert via_backend(client, app, kind, module, fn).json() == {"error": message}


@pytest.mark.django_db
def test_hostile_filters_and_table_names_are_refused_cleanly(api, user):
    hostile = """
import { query, mutation } from "@stage/compute";
export const byField = query({ handler: async (ctx, { field }) =>
  await ctx.db.query("t").filter((q) => q.eq(q.field(field), 1)).collect() });
export const raw = query({ handler: async (ctx, { filter }) =>
  await ctx.db.query("t").filter(() => filter).collect() });
export const table = mutation({ handler: async (ctx, { name }) => await ctx.db.insert(name, {}) });
"""
    app = publish(user, {"/app/src/app.ts": BACKEND, "/app/compute/h.ts": hostile}, name="hostile")
    for args in ({"field": "a'); DROP TABLE x; --"}, {"field": "a..b"}):
        response = rest(api, app, "query", "h", "byField", args)
        assert response.status_code == 400 and "Bad filter" in response.json()["error"]["message"]
    deep = {"op": "not", "args": [{"op": "eq", "args": [{"field": "a"}, {"value": 1}]}]}
    for _ in range(40):
        deep = {"op": "not", "args": [deep]}
    for filter_ in ({"op": "sql", "args": []}, {"op": "eq", "args": [{"raw": "1=1"}, {"value": 1}]}, deep):
        response = rest(api, app, "query", "h", "raw", {"filter": filter_})
        assert response.status_code == 400 and "Bad filter" in response.json()["error"]["message"]
    for name in ("bad name", "x" * 65, "_system", ""):
        response = rest(api, app, "mutation", "h", "table", {"name": name})
        assert response.status_code == 400 and "Bad table name" in response.json()["error"]["message"]
    # each refused first call ended the transaction it opened: the app's mutation lock is free
    assert rest(api, app, "mutation", "h", "table", {"name": "fine"}).status_code == 200


@pytest.mark.django_db
def test_apps_are_isolated(api, app, user):
    call(api, app, "mutation", "add", {"title": "mine", "status": "todo"})
    other = publish(user, FILES, name="neighbour")
    assert call(api, other, "query", "list", {"status": "todo"}) == []


@pytest.mark.django_db
def test_rest_needs_the_owner_and_a_valid_body(api, other_api, anon_api, app):
    body = {"module": "tasks", "fn": "list", "args": {}}
    url = f"/api/v1/stage/apps/{app.sid}/compute/query"
    assert other_api.post(url, body, format="json").status_code == 404
    assert anon_api.post(url, body, format="json").status_code == 401
    for bad in ({"module": "tasks"}, {**body, "extra": 1}, {**body, "args": [1]}, {**body, "module": "Bad-Name"}):
        response = api.post(url, bad, format="json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.django_db
def test_an_app_with_compute_modules_and_no_backend_is_callable_by_its_owner(api, user, client):
    app = publish(user, {"/app/compute/tasks.ts": TASKS, "/app/index.html": "<p>hi</p>"}, name="no-backend")
    doc_id = call(api, app, "mutation", "add", {"title": "solo"})
    assert call(api, app, "query", "get", {"id": doc_id})["title"] == "solo"
    assert client.get(f"/stage/{app.sid}/api/anything").status_code == 404
    plain = publish(user, {"/app/index.html": "<p>hi</p>"}, name="plain")
    response = rest(api, plain, "query", "tasks", "list")
    assert response.status_code == 404 and "no compute modules" in response.json()["error"]["message"]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_belongs_to_the_app_that_opened_it():
    from core.errors import NotFound
    from published_api.compute import store

    txn = store.begin(app_sid="app_a", mode="mutation")
    try:
        with pytest.raises(NotFound):
            store.op(app_sid="app_b", args={"txn": txn, "action": "insert", "table": "t", "doc": {}})
        with pytest.raises(NotFound):
            store.end(app_sid="app_b", txn_id=txn, commit=True)
    finally:
        store.end(app_sid="app_a", txn_id=txn, commit=False)
    store.close_idle_connections()


@pytest.mark.django_db(transaction=True)
def test_an_abandoned_transaction_gives_back_its_lock_and_pool_slot_at_its_budget(settings):
    from published_api.compute import store

    settings.STAGE_COMPUTE_POOL_SIZE = 1
    settings.STAGE_COMPUTE_TRANSACTION_SECONDS = 0.5
    settings.STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS = 5
    store.close_idle_connections()  # the pool sizes itself from settings when it is made
    try:
        abandoned = store.begin(app_sid="app_gone", mode="mutation")  # its process dies: never ended
        started = time.monotonic()
        txn = store.begin(app_sid="app_gone", mode="mutation")  # waits for the one connection and the lock
        assert 0.3 < time.monotonic() - started < 3.0
        store.op(app_sid="app_gone", args={"txn": txn, "action": "insert", "table": "t", "doc": {"ok": True}})
        store.end(app_sid="app_gone", txn_id=txn, commit=True)
        with pytest.raises(NotFound, match="time budget"):
            store.op(app_sid="app_gone", args={"txn": abandoned, "action": "get", "id": "x"})
    finally:
        store.close_idle_connections()
