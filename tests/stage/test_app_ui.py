"""An app's UI on its own origin: built once per version from the version's files, shown sandboxed at /,
moved by publish, deploy, promote and rollback; a version's origin always shows that version."""

import pytest
from django.core.checks import run_checks

from stage.models import AppVersion
from tests.support.rest import api_deploy, api_publish, error, push

APPS = "/api/v1/stage/apps"
BACKEND = 'import { Hono } from "hono";\nexport default new Hono().get("/", (c) => c.text("api"));\n'


def ui(text: str) -> dict[str, str]:
    return {"/app/App.tsx": f"export default () => <h1>{text}</h1>;", "/app/src/app.ts": BACKEND}


@pytest.fixture
def built(django_capture_on_commit_callbacks):
    """Run what a publish or deploy enqueued (the version's UI build) before the call returns."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def host(sid: str, suffix: str = "") -> str:
    return f"{sid.replace('_', '-')}{suffix}.localhost"


def frame(client, sid: str, suffix: str = "", **extra):
    return client.get("/__stage/frame", HTTP_HOST=host(sid, suffix), **extra)


def test_publish_builds_the_ui_and_the_apps_origin_shows_it_sandboxed(api, client, built):
    with built():
        app = api_publish(api, ui("Hello v1"))
    assert app["url"] == f"http://{host(app['sid'])}" and app["previewUrl"] == f"http://{host(app['sid'], '--preview')}"
    assert app["uiEntry"] == "/app/App.tsx"
    version = api.get(f"{APPS}/{app['sid']}/versions").json()["data"][0]
    assert version["url"] == f"http://{host(app['sid'], '--v1')}"
    assert version["ui"]["status"] == "ready" and version["ui"]["entry"] == "/app/App.tsx"
    # / is the platform's shell: the app only ever runs inside a sandboxed frame
    shell = client.get("/", HTTP_HOST=host(app["sid"]))
    assert shell.status_code == 200
    iframe = '<iframe id="stage-app" title="shiftcal-preview" src="/__stage/frame" sandbox="allow-scripts allow-forms">'
    assert iframe in shell.content.decode()
    assert "frame-src 'self'" in shell["Content-Security-Policy"] and not shell.cookies
    # and the frame is sandboxed by its own header too, so opening it top-level gives no real origin
    document = frame(client, app["sid"])
    assert "Hello v1" in document.content.decode()
    assert document["Content-Security-Policy"].startswith("sandbox allow-scripts allow-forms;")
    assert "frame-ancestors 'self'" in document["Content-Security-Policy"]


def test_deploy_promote_and_rollback_move_what_the_origin_shows_and_versions_stay_put(api, client, built):
    with built():
        app = api_publish(api, ui("Hello v1"))
    sid = app["sid"]
    push(api, app["sessionId"], ui("Hello v2"))
    with built():
        api_deploy(api, sid)
    owner = {"HTTP_AUTHORIZATION": f"Bearer {api.raw_key}"}

    def shows(suffix: str = "", **extra) -> str:
        return frame(client, sid, suffix, **extra).content.decode()

    # deployed to preview only: production still shows v1; v2 answers its owner
    assert "Hello v1" in shows() and "Hello v1" in shows("--v1")
    assert "Hello v2" in shows("--preview", **owner) and "Hello v2" in shows("--v2", **owner)
    # promoted
    api.post(f"{APPS}/{sid}/channels/production/promote", {}, format="json")
    assert "Hello v2" in shows() and "Hello v2" in shows("--v2") and "Hello v1" in shows("--v1", **owner)
    # rolled back: v2's origin still shows v2, to its owner (production no longer serves it)
    api.post(f"{APPS}/{sid}/channels/production/rollback", {}, format="json")
    assert "Hello v1" in shows() and "Hello v1" in shows("--v1")
    assert "Hello v2" in shows("--v2", **owner) and "Hello v2" not in shows("--v2")
    # and the backend of each origin moved with it
    assert client.get("/api/", HTTP_HOST=host(sid)).content == b"api"


def test_a_private_ui_opens_with_a_preview_link_kept_as_a_host_only_cookie(api, other_api, client, built):
    with built():
        app = api_publish(api, ui("Hello v1"))
    sid = app["sid"]
    push(api, app["sessionId"], ui("Secret v2"))
    with built():
        api_deploy(api, sid)
    refused = client.get("/", HTTP_HOST=host(sid, "--preview"))
    assert refused.status_code == 401 and "This preview is private" in refused.content.decode()
    assert "Secret" not in frame(client, sid, "--v2").content.decode()
    assert error(other_api.post(f"{APPS}/{sid}/preview-link", {}, format="json"), 404, "NOT_FOUND")
    # the owner mints a link; opening it sets a cookie on that origin only and drops the token from the URL
    link = api.post(f"{APPS}/{sid}/preview-link", {"version": 2, "expiresIn": 600}, format="json").json()["data"]
    assert link["url"].startswith(f"http://{host(sid, '--v2')}/?stage_preview=")
    opened = client.get(link["url"].split(host(sid, "--v2"))[1], HTTP_HOST=host(sid, "--v2"))
    assert opened.status_code == 302 and opened["Location"] == "/"
    cookie = opened.cookies["stage_preview"]
    assert cookie.value == link["token"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["domain"] == "" and 590 <= int(cookie["max-age"]) <= 600
    assert "Secret v2" in frame(client, sid, "--v2").content.decode()  # the client now sends the cookie
    assert client.get("/", HTTP_HOST=host(sid, "--v2")).status_code == 200


def test_preview_link_input_is_checked(api, anon_api, built):
    app = api_publish(api, ui("x"))
    url = f"{APPS}/{app['sid']}/preview-link"
    error(api.post(url, {"expiresIn": 10}, format="json"), 400, "VALIDATION_ERROR")
    error(api.post(url, {"expiresIn": 10**9}, format="json"), 400, "VALIDATION_ERROR")
    error(api.post(url, {"version": "2"}, format="json"), 400, "VALIDATION_ERROR")
    error(api.post(url, {"version": 9}, format="json"), 404, "NOT_FOUND")
    error(anon_api.post(url, {}, format="json"), 401, "UNAUTHORIZED")
    created = api.post(url, {}, format="json")
    assert created.status_code == 201 and created.json()["data"]["url"].startswith(app["previewUrl"] + "/?")


def test_a_ui_that_does_not_build_is_reported_to_its_owner_not_to_visitors(api, client, built):
    with built():
        app = api_publish(api, {"/app/App.tsx": "export default () => <h1>{oops</h1>;"})
    ui_state = api.get(f"{APPS}/{app['sid']}/versions").json()["data"][0]["ui"]
    assert ui_state["status"] == "failed" and ui_state["errorLocations"][0]["file"] == "/app/App.tsx"
    page = client.get("/", HTTP_HOST=host(app["sid"]))
    assert page.status_code == 503 and "did not build" in page.content.decode()
    assert "oops" not in page.content.decode() and "App.tsx:" not in page.content.decode()


def test_a_backend_only_app_has_no_ui_and_says_so(api, client, built):
    with built():
        app = api_publish(api, {"/app/src/app.ts": BACKEND})
    assert api.get(f"{APPS}/{app['sid']}/versions").json()["data"][0]["ui"]["status"] == "none"
    page = client.get("/", HTTP_HOST=host(app["sid"]))
    assert page.status_code == 404 and "/app/App.tsx is not among its files" in page.content.decode()
    assert client.get("/api/", HTTP_HOST=host(app["sid"])).content == b"api"


def test_an_app_can_name_another_ui_entry(api, other_api, client, built):
    with built():
        app = api_publish(api, ui("default entry"))
    sid = app["sid"]
    error(api.patch(f"{APPS}/{sid}", {"uiEntry": "/app/../x.tsx"}, format="json"), 400, "VALIDATION_ERROR")
    error(other_api.patch(f"{APPS}/{sid}", {"uiEntry": "/app/Other.tsx"}, format="json"), 404, "NOT_FOUND")
    assert api.patch(f"{APPS}/{sid}", {"uiEntry": "/app/Other.tsx"}, format="json").json()["data"]["uiEntry"] == (
        "/app/Other.tsx"
    )
    push(api, app["sessionId"], {"/app/Other.tsx": "export default () => <h1>other entry</h1>;"})
    with built():
        api_deploy(api, sid, promote=True)
    assert AppVersion.objects.get(app__sid=sid, number=2).ui_entry == "/app/Other.tsx"
    assert "other entry" in frame(client, sid).content.decode()


def test_without_debug_the_apps_domain_must_be_a_site_apart_from_the_platform(settings):
    settings.DEBUG = False

    def errors(apps_domain: str, *hosts: str) -> list[str]:
        settings.STAGE_APPS_DOMAIN, settings.PLATFORM_HOSTS = apps_domain, list(hosts)
        return [e.id for e in run_checks() if e.id.startswith("stage.")]

    # the same host, a parent, a child, a sibling under one registrable domain, any host: refused
    assert errors("example.com", "example.com") == ["stage.E002"]
    assert errors("example.com", "stage.example.com") == ["stage.E002"]
    assert errors("apps.example.com", "example.com") == ["stage.E002"]
    assert errors("apps.example.com", "stage.example.com") == ["stage.E002"]
    assert errors("apps.example.co.uk", "admin.example.co.uk") == ["stage.E002"]
    assert errors("localhost", "localhost") == ["stage.E002"]
    assert errors("example.net", "*") == ["stage.E001"]
    # a registrable domain of its own, or a suffix of its own (each app its own site), is fine
    assert errors("stage-apps.net", "stage.example.com", "127.0.0.1") == []
    assert errors("example.github.io", "stage.example.com") == []
    assert errors("localhost", "127.0.0.1") == []
    # and the platform's cookies may not be widened to cover app origins
    settings.SESSION_COOKIE_DOMAIN = ".stage-apps.net"
    assert errors("stage-apps.net", "stage.example.com") == ["stage.E003"]
