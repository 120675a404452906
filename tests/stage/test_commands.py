import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_createapikey_creates_the_user_and_prints_a_working_key_on_the_last_line():
    key = run("createapikey", "--user", "robot", "--name", "ci").strip().splitlines()[-1]
    assert get_user_model().objects.filter(username="robot").exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post("/api/v1/stage/sessions").status_code == 201


def test_createapikey_for_an_existing_user_adds_a_key():
    first = run("createapikey", "--user", "robot").strip().splitlines()[-1]
    second = run("createapikey", "--user", "robot").strip().splitlines()[-1]
    assert first != second
    assert get_user_model().objects.get(username="robot").api_keys.count() == 2


def test_bootstrap_creates_one_admin_and_key_then_does_nothing():
    out = run("bootstrap")
    key = next(line.split()[-1] for line in out.splitlines() if "API key:" in line)
    assert get_user_model().objects.get(username="admin").is_superuser
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/stage/sessions").status_code == 200
    assert "nothing to create" in run("bootstrap")
    assert get_user_model().objects.count() == 1
