"""The front door: a landing page at /, the API docs served with no CDN, and the health endpoints."""

import re

import pytest

from tests.support.worker import WorkerProcess


@pytest.mark.django_db
def test_the_landing_page_says_what_stage_is_and_links_the_admin_docs_and_health(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sandbox sessions for React apps" in html
    for href in ("/admin/", "/api/docs/", "/api/redoc/", "/api/health/ready"):
        assert f'href="{href}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_their_assets_from_this_server_only(client, path):
    response = client.get(path)

    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
    assert assets and all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets), assets
    assert "cdn" not in html.lower() and "https://" not in response["Content-Security-Policy"]
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()


@pytest.mark.django_db
def test_live_answers_while_the_process_does(client):
    assert client.get("/api/health/live").json() == {"status": "ok"}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_ready_names_what_is_missing_turns_ok_with_a_worker_and_503_when_it_stops(client, tmp_path):
    missing = client.get("/api/health/ready")

    assert missing.status_code == 503 and missing["Retry-After"] == "5"
    checks = missing.json()["checks"]
    assert checks["database"] == {"ok": True} and checks["broker"] == {"ok": True}
    assert checks["worker"]["ok"] is False and "no Celery worker answered" in checks["worker"]["detail"]
    assert checks["sandbox"] == {"ok": True}

    worker = WorkerProcess(tmp_path / "worker.log")
    worker.start()
    try:
        ready = client.get("/api/health/ready")
    finally:
        worker.stop()
    assert ready.status_code == 200 and ready.json()["status"] == "ok", ready.json()
    stopped = client.get("/api/health/ready")
    assert stopped.status_code == 503 and stopped.json()["checks"]["worker"]["ok"] is False
