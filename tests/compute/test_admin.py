"""Admin: providers with an encrypted key, usage per app and provider, compute documents read-only."""

import pytest

from published_api.compute.models import ComputeDocument
from published_api.inference.models import Provider, Usage
from published_api.inference.secrets import decrypt


@pytest.mark.django_db
def test_a_provider_key_is_stored_encrypted_and_never_shown(staff):
    form = {"name": "openai-prod", "base_url": "https://api.example.com/v1", "api_key_env": "", "api_key": "sk-secret",
            "default_model": "gpt-4o", "allowed_models": '["gpt-4o"]', "enabled": "on"}  # fmt: skip
    response = staff.post("/admin/inference/provider/add/", form)
    assert response.status_code == 302
    provider = Provider.objects.get(name="openai-prod")
    assert "sk-secret" not in provider.api_key_encrypted and decrypt(provider.api_key_encrypted) == "sk-secret"
    page = staff.get(f"/admin/inference/provider/{provider.pk}/change/").content.decode()
    assert "sk-secret" not in page and "stored (encrypted)" in staff.get("/admin/inference/provider/").content.decode()


@pytest.mark.django_db
def test_usage_is_summed_per_app_and_provider(staff):
    for app_sid, tokens in (("app_a", 3), ("app_a", 4), ("app_b", 10)):
        Usage.objects.create(session_id="s", app_sid=app_sid, provider="openai", model="m", kind="chat",
                             input_tokens=tokens, output_tokens=1)  # fmt: skip
    page = staff.get("/admin/inference/usage/")
    rows = list(page.context["usage_by_app"])
    assert [(r["app_sid"], r["calls"], r["input"]) for r in rows] == [("app_a", 2, 7), ("app_b", 1, 10)]
    assert staff.get("/admin/inference/usage/add/").status_code == 403


@pytest.mark.django_db
def test_compute_documents_are_browsable_and_read_only(staff):
    doc = ComputeDocument.objects.create(
        app_sid="app_x", table="tasks", public_id="d1", doc={"t": "<b>"}, creation_time=1
    )
    listing = staff.get("/admin/compute/computedocument/?app_sid=app_x&q=d1").content.decode()
    assert "d1" in listing
    detail = staff.get(f"/admin/compute/computedocument/{doc.pk}/change/").content.decode()
    assert "&lt;b&gt;" in detail and "<b>" not in detail.split("Document")[-1][:200]
    assert staff.post(f"/admin/compute/computedocument/{doc.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ComputeDocument.objects.filter(pk=doc.pk).exists()
