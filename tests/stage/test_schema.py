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
