"""A mutation's writes travel with its next ctx.db call or its end: what that means for an app, on the real store
with a real backend. A write's failure is thrown by the next call (or by the mutation), and a mutation never
commits after one; reads see the writes made before them; an insert's id comes from the sandbox, in one shape."""

import pytest

from core.errors import ValidationFailed
from published_api.compute import store
from published_api.compute.models import ComputeDocument
from tests.support.publishing import publish

pytestmark = pytest.mark.postgres

NOTES = """
import { mutation } from "@stage/compute";
export const catchAndCommit = mutation({ handler: async (ctx, { id, readFirst }) => {
  if (readFirst) await ctx.db.query("notes").collect();
  await ctx.db.insert("notes", { title: "kept?" });
  await ctx.db.patch(id, { seen: true });
  try { await ctx.db.get(id); } catch (e) { return `caught: ${e.message}`; }
  return "not caught";
} });
export const refused = mutation({ handler: async (ctx) => {
  await ctx.db.insert("notes", { title: "first" });
  await ctx.db.insert("notes", { title: "nul \\u0000 inside" });
} });
export const readsItsWrites = mutation({ handler: async (ctx) => {
  const id = await ctx.db.insert("notes", { n: 1 });
  await ctx.db.patch(id, { n: 2 });
  const [doc, all] = await Promise.all([ctx.db.get(id), ctx.db.query("notes").collect()]);
  await ctx.db.patch(id, { n: 3 });
  const again = await ctx.db.get(id);
  await ctx.db.delete(id);
  return { id, seen: [doc.n, all.length, again.n], after: await ctx.db.get(id) };
} });
export const badTable = mutation({ handler: async (ctx) => {
  try { await ctx.db.insert("no spaces", {}); } catch (e) { return e.message; }
} });
"""


@pytest.fixture
def app(user):
    return publish(user, {"/app/compute/notes.ts": NOTES, "/app/index.html": "<p>notes</p>"}, name="notes")


def mutate(api, app, fn, args=None):
    body = {"module": "notes", "fn": fn, "args": args or {}}
    return api.post(f"/api/v1/stage/apps/{app.sid}/compute/mutation", body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("read_first", "message"),
    [
        (False, "Document not found: missing"),  # the failed call opened the transaction, and ended it
        (True, "The mutation was rolled back: one of its ctx.db calls failed."),
    ],
)
def test_a_caught_write_failure_still_rolls_the_mutation_back(api, app, read_first, message):
    response = mutate(api, app, "catchAndCommit", {"id": "missing", "readFirst": read_first})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert not ComputeDocument.objects.filter(app_sid=app.sid).exists()


@pytest.mark.django_db
def test_a_value_the_store_refuses_names_the_call_and_writes_nothing(api, app):
    response = mutate(api, app, "refused")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("ctx.db.insert failed: ")
    assert not ComputeDocument.objects.filter(app_sid=app.sid).exists()


@pytest.mark.django_db
def test_reads_see_the_writes_made_before_them(api, app):
    response = mutate(api, app, "readsItsWrites")
    assert response.status_code == 200, response.json()
    result = response.json()["data"]
    assert result["seen"] == [2, 1, 3] and result["after"] is None
    assert len(result["id"]) == 20 and result["id"].isalnum()
    assert not ComputeDocument.objects.filter(app_sid=app.sid).exists()


@pytest.mark.django_db
def test_a_bad_write_fails_where_it_is_made(api, app):
    response = mutate(api, app, "badTable")
    assert response.json()["data"] == 'Bad table name: "no spaces" (letters, digits and _)'


@pytest.mark.django_db(transaction=True)
def test_the_platform_takes_an_insert_id_only_in_the_shape_the_sandbox_mints():
    def insert(**write):
        store.commit_once(app_sid="app_ids", mode="mutation", writes=[{"action": "insert", "table": "t", **write}])

    for bad in ("short", "x" * 21, "a" * 19 + "-", 12345678901234567890):
        with pytest.raises(ValidationFailed, match="Bad document id"):
            insert(id=bad, doc={})
    insert(doc={})
    assert ComputeDocument.objects.filter(app_sid="app_ids").count() == 1
    store.close_idle_connections()
