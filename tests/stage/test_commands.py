import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.support.rest import run_command

pytestmark = pytest.mark.django_db


def test_bootstrap_creates_one_admin_and_key_then_does_nothing():
    out = run_command("bootstrap")
    key = next(line.split()[-1] for line in out.splitlines() if "API key:" in line)
    assert get_user_model().objects.get(username="admin").is_superuser
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/stage/sessions").status_code == 200
    assert "nothing to create" in run_command("bootstrap")
    assert get_user_model().objects.count() == 1
