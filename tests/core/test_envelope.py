import pytest
from django.test import Client
from django.urls import path
from rest_framework.views import APIView

from config.urls import urlpatterns as stage_urlpatterns


class Explodes(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise RuntimeError("secret internal detail")


urlpatterns = [path("api/v1/explodes", Explodes.as_view()), *stage_urlpatterns]


@pytest.mark.urls("tests.core.test_envelope")
def test_an_unexpected_exception_is_a_500_in_the_envelope_without_details(anon_api, db, caplog):
    response = anon_api.get("/api/v1/explodes")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": {"code": "INTERNAL", "message": "Internal error."}}
    assert "secret internal detail" not in response.content.decode()
    assert "secret internal detail" in caplog.text, "the error is logged for staff"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unknown_api_path_is_an_enveloped_404_for_every_method_even_with_csrf_checks_on(db, method):
    client = Client(enforce_csrf_checks=True)  # as a real caller meets it: no test-client exemption
    response = getattr(client, method)("/api/v1/no/such/thing", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["success"] is False and response.json()["error"]["code"] == "NOT_FOUND"
