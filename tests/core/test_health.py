import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_ok_once_the_database_answers(anon_api):
    response = anon_api.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
