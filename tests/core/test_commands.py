"""createapikey: a user's key from the command line, printed on the last line for scripts."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.support.rest import run_command

pytestmark = pytest.mark.django_db


def test_createapikey_creates_the_user_and_prints_a_working_key_on_the_last_line():
    key = run_command("createapikey", "--user", "robot", "--name", "ci").strip().splitlines()[-1]
    assert get_user_model().objects.filter(username="robot").exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post("/api/v1/stage/sessions").status_code == 201


def test_createapikey_for_an_existing_user_adds_a_key():
    first = run_command("createapikey", "--user", "robot").strip().splitlines()[-1]
    second = run_command("createapikey", "--user", "robot").strip().splitlines()[-1]
    assert first != second
    assert get_user_model().objects.get(username="robot").api_keys.count() == 2
