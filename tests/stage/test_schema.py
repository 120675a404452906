import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_valid_and_documents_the_envelope():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    status = schema["paths"]["/api/v1/stage/sessions/{session_id}/status"]["get"]
    ok = status["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(ok["properties"]) == {"success", "data"}
    assert status["responses"]["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_the_schema_and_docs_are_served(anon_api):
    response = anon_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/stage/sessions/{session_id}/push" in response.json()["paths"]
    assert anon_api.get("/api/docs/").status_code == 200


def _api_operations() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path): operation
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    }


def test_every_api_success_documents_its_body():
    """A view drf-spectacular cannot read falls back to "No response body" (and clients get no types)."""
    bodiless = [
        (key, status)
        for key, operation in _api_operations().items()
        for status, response in operation["responses"].items()
        if status.startswith("2") and status != "204" and "content" not in response
    ]
    assert bodiless == []


def test_each_inference_operation_documents_its_own_input_answer_and_errors():
    operations = _api_operations()
    chat = operations["POST", "/api/v1/inference/chat"]
    assert chat["summary"] == "Chat completion"
    answer = chat["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert answer == {"$ref": "#/components/schemas/ChatOutput"}
    assert chat["responses"]["502"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    inputs = {
        path: operations["POST", path]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for path in ("/api/v1/inference/chat", "/api/v1/inference/embed", "/api/v1/inference/images")
    }
    assert len(set(inputs.values())) == 3, inputs
