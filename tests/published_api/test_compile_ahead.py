"""A deploy compiles the backend before its first request and reports a compile error without refusing the
deploy; bundles expire from the shared cache and are keyed by a fingerprint over the drivers and the lock file."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from core import node
from published_api import compiler
from stage.models import AppVersion
from stage.renders.esbuild import builder_fingerprint
from tests.support.publishing import HEALTH, deploy, publish

BROKEN = {"/app/src/app.ts": "import './helper';\nexport default {};", "/app/src/helper.ts": "\nconst = ;"}
UI = {"/app/App.tsx": "export default () => <h1>still ships</h1>;"}


@pytest.mark.django_db
def test_a_deploy_compiles_the_backend_before_any_request(user):
    app = publish(user)
    cache.delete(compiler._cache_key(app.versions.get().sid))

    version = deploy(app, HEALTH.replace("ok", "compiled ahead"))

    assert (version.backend_status, version.backend_error) == ("ready", None)
    assert "compiled ahead" in cache.get(compiler._cache_key(version.sid))


@pytest.mark.django_db
def test_a_backend_that_does_not_compile_is_reported_by_the_deploy_which_still_lands(api, client):
    # given a published app with a UI and a working backend
    created = api.post("/api/v1/stage/sessions", {}, format="json").json()["data"]["id"]
    api.post(f"/api/v1/stage/sessions/{created}/push", {"files": {**UI, "/app/src/app.ts": HEALTH}}, format="json")
    app = api.post("/api/v1/stage/apps", {"sessionId": created, "name": "half"}, format="json").json()["data"]
    # when a deploy breaks the backend
    api.post(f"/api/v1/stage/sessions/{created}/push", {"files": BROKEN}, format="json")
    response = api.post(f"/api/v1/stage/apps/{app['sid']}/deploy", {"promote": True}, format="json")
    # then the deploy lands and says where the backend breaks
    assert response.status_code == 201
    version = response.json()["data"]["version"]
    assert version["backend"] == {
        "status": "failed",
        "error": {"file": "/app/src/helper.ts", "line": 2, "column": 6, "message": 'Expected identifier but found "="'},
    }
    channels = api.get(f"/api/v1/stage/apps/{app['sid']}/channels").json()["data"]
    assert channels["production"]["version"] == channels["preview"]["version"] == 2
    assert AppVersion.objects.get(sid=version["sid"]).backend_status == "failed"
    # and the UI still ships while the API answers the located error
    assert version["ui"]["entry"] == "/app/App.tsx" and version["ui"]["status"] != "none"
    error = client.get(f"/stage/{app['sid']}/api/health").json()["error"]
    assert error["code"] == "BACKEND_COMPILE_ERROR" and "helper.ts:2" in error["message"]


@pytest.mark.django_db
def test_versions_without_a_backend_have_nothing_to_compile_and_compute_only_ones_do(user):
    frontend = publish(user, UI, name="frontend").versions.get()
    compute = publish(
        user, {"/app/compute/tasks.ts": 'import { query } from "@stage/compute";\nexport const list = query(() => []);'}
    ).versions.get()

    assert (frontend.backend_status, compute.backend_status) == ("none", "ready")


@pytest.mark.django_db
@pytest.mark.redis
def test_bundles_in_the_shared_cache_expire(user):
    version = publish(user).versions.get()

    ttl = redis.Redis.from_url(settings.REDIS_URL).ttl(cache.make_and_validate_key(compiler._cache_key(version.sid)))

    assert 0 < ttl <= settings.STAGE_BACKEND_BUNDLE_TTL_SECONDS


def test_bumping_a_locked_npm_package_changes_both_build_fingerprints(monkeypatch, tmp_path):
    # given the fingerprints of both builds over today's lock file
    render, backend = builder_fingerprint(), compiler.compiler_revision()
    # when one locked package changes
    bumped = tmp_path / "package-lock.json"
    bumped.write_text(node.LOCK_FILE.read_text().replace('"version": ', '"version": "0.0.0-bumped", "was": ', 1))
    monkeypatch.setattr(node, "LOCK_FILE", bumped)
    # then renders and backend bundles are both built afresh
    assert builder_fingerprint() != render
    assert compiler.compiler_revision() != backend


def test_node_drivers_run_with_a_clean_environment(monkeypatch, tmp_path):
    script = tmp_path / "env.mjs"
    script.write_text(
        'import { serveLines } from "' + str(node.LINE_SERVER) + '";\n'
        "await serveLines(() => Object.keys(process.env).sort(), (error) => ({ error: String(error) }));\n"
    )
    monkeypatch.setenv("STAGE_SECRET_FOR_THE_TEST", "must not leak")
    driver = node.NodeDriver(script, name="env")
    try:
        assert driver.call({}, timeout=10) == ["PATH"]
    finally:
        driver.stop()


def test_a_driver_that_overruns_its_deadline_is_killed_and_the_next_call_starts_afresh(tmp_path):
    script = tmp_path / "slow.mjs"
    script.write_text(
        'import { serveLines } from "' + str(node.LINE_SERVER) + '";\n'
        "await serveLines(async (r) => { await new Promise((ok) => setTimeout(ok, r.wait)); return r; }, String);\n"
    )
    driver = node.NodeDriver(script, name="The slow driver")
    try:
        with pytest.raises(node.NodeTimedOut, match="The slow driver timed out"):
            driver.call({"wait": 5000}, timeout=0.5)
        assert driver.process is None
        assert driver.call({"wait": 0}, timeout=10) == {"wait": 0}
    finally:
        driver.stop()
