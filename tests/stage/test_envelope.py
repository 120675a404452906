import pytest
from django.urls import path
from rest_framework.views import APIView

from config.urls import urlpatterns as stage_urlpatterns


class Explodes(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise RuntimeError("secret internal detail")


urlpatterns = [path("api/v1/explodes", Explodes.as_view()), *stage_urlpatterns]


@pytest.mark.urls("tests.stage.test_envelope")
def test_an_unexpected_exception_is_a_500_in_the_envelope_without_details(anon_api, db, caplog):
    response = anon_api.get("/api/v1/explodes")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": {"code": "INTERNAL", "message": "Internal error."}}
    assert "secret internal detail" not in response.content.decode()
    assert "secret internal detail" in caplog.text, "the error is logged for staff"
