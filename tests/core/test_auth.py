import pytest
from rest_framework.test import APIClient

from core.keys import apikey_create, apikey_revoke
from core.models import ApiKey

pytestmark = pytest.mark.django_db


def test_no_key_is_401_in_the_envelope(anon_api):
    response = anon_api.post("/api/v1/stage/sessions", {}, format="json")
    assert response.status_code == 401
    assert response.json()["success"] is False
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer stg_not-a-real-key", "Bearer ", "Convex stg_nope", "Bearer ' OR 1=1 --", "Bearer " + "x" * 5000],
    ids=["unknown", "empty", "convex-unknown", "sql-ish", "huge"],
)
def test_bad_keys_are_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/stage/sessions")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_revoked_key_is_refused(user):
    api_key, raw_key = apikey_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/stage/sessions").status_code == 200
    apikey_revoke(api_key=api_key)
    assert client.get("/api/v1/stage/sessions").status_code == 401


def test_inactive_users_key_is_refused(user):
    _, raw_key = apikey_create(user=user)
    user.is_active = False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/stage/sessions").status_code == 401


def test_convex_scheme_is_accepted_on_the_rest_api_too(user):
    _, raw_key = apikey_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Convex {raw_key}")
    assert client.post("/api/v1/stage/sessions", {}, format="json").status_code == 201


def test_keys_are_stored_hashed_and_shown_with_a_prefix(user):
    api_key, raw_key = apikey_create(user=user, name="ci")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert raw_key not in (stored.key_hash, stored.prefix, stored.name)
    assert raw_key.startswith(stored.prefix)
    assert len(raw_key) >= 40


def test_use_records_last_used_at(user):
    api_key, raw_key = apikey_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    client.get("/api/v1/stage/sessions")
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
