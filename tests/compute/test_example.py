"""The complete backend example in examples/summarize_documents, end to end through the gateway."""

from pathlib import Path

import pytest

from published_api.inference.models import Usage
from tests.support.publishing import publish

pytestmark = pytest.mark.postgres  # the compute store runs on PostgreSQL only

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "summarize_documents" / "app"


def example_files() -> dict[str, str]:
    return {f"/app/{p.relative_to(EXAMPLE)}": p.read_text() for p in EXAMPLE.rglob("*.ts")}


def compute(api, app, kind, fn, args):
    response = api.post(
        f"/api/v1/stage/apps/{app.sid}/compute/{kind}", {"module": "documents", "fn": fn, "args": args}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()["data"]


@pytest.mark.django_db
def test_the_complete_example_summarizes_and_stores_the_summary(api, client, user, openai_env):
    app = publish(user, example_files(), name="summarize")
    assert client.get(f"/stage/{app.sid}/api/health").json() == {"status": "ok"}
    doc_id = compute(api, app, "mutation", "create", {"title": "Q3", "content": "Revenue grew twelve percent in Q3"})
    response = client.post(f"/stage/{app.sid}/api/summarize", {"documentId": doc_id}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"summary": "Summary: Revenue grew twelve percent in"}
    assert openai_env.requests[-1]["body"]["messages"] == [
        {"role": "user", "content": "Summarize: Revenue grew twelve percent in Q3"}
    ]
    stored = compute(api, app, "query", "get", {"id": doc_id})
    assert stored["summary"] == "Summary: Revenue grew twelve percent in"
    assert [d["_id"] for d in compute(api, app, "query", "list", {"summarized": True})] == [doc_id]
    assert Usage.objects.get(app_sid=app.sid).model == "gpt-4o-mini"


@pytest.mark.django_db
def test_an_unknown_document_is_a_backend_error_naming_it(client, user, openai_env):
    app = publish(user, example_files(), name="summarize")
    response = client.post(
        f"/stage/{app.sid}/api/summarize", {"documentId": "missing"}, content_type="application/json"
    )
    assert response.status_code == 500
    assert response.json()["error"] == {"code": "BACKEND_ERROR", "message": "Error: Document not found: missing"}
    assert openai_env.requests == []
