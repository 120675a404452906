"""Backends on two origins: inert on the platform's, as written on the app's own; previews only for their owner.

Every request names its origin by Host, as a browser would (the test client connects to the same server).
"""

import time

import pytest
from django.core import signing

from stage.origins.preview_links import SALT, preview_token_mint
from stage.services.published_apps import channel_promote, channel_rollback
from tests.support.publishing import deploy, publish

pytestmark = pytest.mark.django_db

HOSTILE = """export default { fetch: () => new Response("<script>document.title = 'pwned'</script>", {
  headers: {
    "content-type": "text/html",
    "content-security-policy": "script-src *",
    "x-frame-options": "ALLOWALL",
    "x-content-type-options": "sniff-away",
    "access-control-allow-origin": "*",
    "clear-site-data": '"cookies"',
    "set-cookie": "csrftoken=attackerchosen; Path=/",
  },
}) };"""
ECHO = """export default { fetch: (r: Request) => Response.json({
  url: r.url, auth: r.headers.get("authorization"), cookie: r.headers.get("cookie"),
}) };"""


def version_text(text: str) -> str:
    return f"export default {{ fetch: () => new Response({text!r}) }};"


def host(app, suffix: str = "") -> str:
    return f"{app.sid.replace('_', '-')}{suffix}.localhost"


def test_on_the_platform_origin_a_backend_answer_cannot_act_in_a_browser(client, user):
    app = publish(user, HOSTILE)
    response = client.get(f"/stage/{app.sid}/api/evil")
    assert response.status_code == 200 and b"<script>" in response.content  # the data passes, as data
    # the backend's own policy is replaced by a sandbox without scripts, never framed, never sniffed
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'; frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    # no cookie and no site-data command from tenant code on the platform's origin; CORS passes for API clients
    assert not response.cookies and "Clear-Site-Data" not in response
    assert response["Access-Control-Allow-Origin"] == "*"


def test_on_the_apps_own_origin_the_answer_passes_with_cookies_made_host_only(client, user):
    app = publish(
        user,
        """export default { fetch: () => new Response("<p>mine</p>", { headers: [
          ["content-type", "text/html"], ["content-security-policy", "default-src 'self'"],
          ["set-cookie", "theme=dark; Domain=localhost; Path=/; HttpOnly"], ["set-cookie", "a=b; Path=/x"],
        ] }) };""",
    )
    response = client.get("/api/page", HTTP_HOST=host(app))
    assert response.status_code == 200 and response.content == b"<p>mine</p>"
    # its own policy stands, and a second one puts any document it serves in an opaque origin
    assert response["Content-Security-Policy"] == (
        "default-src 'self', sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"
    )
    assert response.cookies["theme"].value == "dark" and response.cookies["theme"]["domain"] == ""
    assert response.cookies["theme"]["httponly"] and response.cookies["a"]["path"] == "/x"


def test_the_apps_origin_serves_api_and_api_star_with_the_gateways_semantics(client, user):
    app = publish(user, ECHO)
    for path in ("/api", "/api/", "/api/items/7?q=1"):
        seen = client.get(path, HTTP_HOST=host(app)).json()
        expected = path.removeprefix("/api") or "/"
        assert seen["url"] == f"http://{host(app)}{expected}", path


def test_nothing_of_the_platform_is_reachable_on_an_apps_origin(client, user, api):
    app = publish(user, ECHO)
    for path in ("/admin/", "/admin/login/", f"/s/{app.session.public_id}", f"/stage/{app.sid}/api/x", "/metrics"):
        response = client.get(path, HTTP_HOST=host(app))
        assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND", path
    # /api/* there is the app's own: the platform's API paths reach the backend, not the platform
    seen = client.get("/api/v1/stage/sessions", HTTP_HOST=host(app), HTTP_AUTHORIZATION=f"Bearer {api.raw_key}")
    assert seen.json() == {"url": f"http://{host(app)}/v1/stage/sessions", "auth": None, "cookie": None}
    assert not client.get("/admin/login/", HTTP_HOST=host(app)).cookies  # no CSRF cookie is ever set there
    # a host under the apps domain that names nothing is a 404 too, and so are deeper names
    for name in ("nothing.localhost", f"x.{host(app)}", "app-.localhost", "app-abc--v0.localhost"):
        assert client.get("/api/x", HTTP_HOST=name).status_code == 404, name


def test_channels_and_versions_each_have_an_origin_and_a_version_origin_never_changes(client, user, api):
    app = publish(user, version_text("v1"))
    v2 = deploy(app, version_text("v2"), promote=False)

    def served(suffix: str, **headers) -> bytes:
        return client.get("/api/", HTTP_HOST=host(app, suffix), **headers).content

    owner = {"HTTP_AUTHORIZATION": f"Bearer {api.raw_key}"}
    assert served("") == b"v1" and served("--v1") == b"v1"
    assert served("--preview", **owner) == b"v2" and served("--v2", **owner) == b"v2"
    channel_promote(app=app, actor=user)
    assert served("") == b"v2" and served("--v2") == b"v2" and served("--v1", **owner) == b"v1"
    channel_rollback(app=app, actor=user)
    assert served("") == b"v1" and served("--v1") == b"v1"
    # v2 still answers at its origin, but only to its owner now that production has left it: a version a fix
    # replaced does not stay on the internet
    assert client.get("/api/", HTTP_HOST=host(app, "--v2")).status_code == 401
    assert served("--v2", **owner) == b"v2"
    assert client.get("/api/", HTTP_HOST=host(app, "--v3")).status_code == 404
    assert v2.number == 2


def test_a_preview_answers_the_owner_and_a_link_holder_only(client, user, api, other_api):
    app = publish(user, version_text("v1"))
    deploy(app, ECHO, promote=False)
    preview = host(app, "--preview")
    # anonymous: 401 with a way in; another owner: 404, as for every resource
    anonymous = client.get("/api/", HTTP_HOST=preview)
    assert anonymous.status_code == 401 and "preview-link" in anonymous.json()["error"]["message"]
    assert client.get("/api/", HTTP_HOST=preview, HTTP_AUTHORIZATION=f"Bearer {other_api.raw_key}").status_code == 404
    assert client.get("/api/", HTTP_HOST=preview, HTTP_AUTHORIZATION="Bearer stg_guess").status_code == 401
    # the owner's key reaches it, and the backend never sees the key
    seen = client.get("/api/", HTTP_HOST=preview, HTTP_AUTHORIZATION=f"Bearer {api.raw_key}").json()
    assert seen["auth"] is None
    # a link's token reaches it too, by query or by cookie, and the backend sees neither
    token = preview_token_mint(app_sid=app.sid).value
    seen = client.get(f"/api/x?a=1&stage_preview={token}&b=2", HTTP_HOST=preview).json()
    assert seen["url"].endswith("/x?a=1&b=2")
    client.cookies["stage_preview"] = token
    client.cookies["theirs"] = "kept"
    assert client.get("/api/", HTTP_HOST=preview).json()["cookie"] == "theirs=kept"


def test_a_preview_link_for_another_app_or_out_of_date_opens_nothing(client, user):
    app = publish(user, version_text("v1"))
    other = publish(user, version_text("other"), name="other")
    deploy(app, version_text("v2"), promote=False)
    preview = host(app, "--preview")
    wrong_app = preview_token_mint(app_sid=other.sid).value
    expired = signing.dumps({"app": app.sid, "exp": int(time.time()) - 1}, salt=SALT)
    forged = preview_token_mint(app_sid=app.sid).value[:-2] + "xx"
    for token, message in ((wrong_app, "not valid"), (expired, "expired"), (forged, "not valid")):
        response = client.get(f"/api/?stage_preview={token}", HTTP_HOST=preview)
        assert response.status_code == 401 and message in response.json()["error"]["message"]
    # the platform path's X-Stage-Channel: preview is guarded the same way
    response = client.get(f"/stage/{app.sid}/api/", HTTP_X_STAGE_CHANNEL="preview")
    assert response.status_code == 401
    link = preview_token_mint(app_sid=app.sid).value
    assert client.get(f"/stage/{app.sid}/api/?stage_preview={link}", HTTP_X_STAGE_CHANNEL="preview").content == b"v2"


def test_a_stage_key_sent_to_a_production_backend_never_reaches_it(client, user, api):
    app = publish(user, ECHO)
    for path, headers in ((f"/stage/{app.sid}/api/", {}), ("/api/", {"HTTP_HOST": host(app)})):
        seen = client.get(path, HTTP_AUTHORIZATION=f"Bearer {api.raw_key}", **headers).json()
        assert seen["auth"] is None, path
        seen = client.get(path, HTTP_AUTHORIZATION="Bearer app-own-token", **headers).json()
        assert seen["auth"] == "Bearer app-own-token", path


# Found in review: the attacks below each reached past the first version of this change.


def test_the_platform_path_passes_none_of_the_platforms_cookies_to_a_backend(staff, user):
    # given an admin signed in on the platform (a session and CSRF cookie in the browser)
    client = staff
    client.get("/admin/")
    assert "sessionid" in client.cookies
    app = publish(user, ECHO)
    # when the admin's browser requests the backend on the platform's origin, then the backend sees no cookie
    assert client.get(f"/stage/{app.sid}/api/steal").json()["cookie"] is None


BROWSER_HEADERS = """export default { fetch: () => new Response("x", { status: 401, headers: [
  ["www-authenticate", 'Basic realm="Stage admin: sign in again"'], ["strict-transport-security", "max-age=0"],
  ["location", "https://evil.example/admin/login/"], ["cross-origin-opener-policy", "unsafe-none"],
  ["alt-svc", 'h3=":443"'], ["accept-ch", "Sec-CH-UA-Model"], ["link", "<https://evil.example>; rel=preconnect"],
  ["content-disposition", "attachment; filename=admin.html"], ["set-login", "logged-in"],
  ["x-accel-redirect", "/internal/secrets"], ["referrer-policy", "unsafe-url"], ["service-worker-allowed", "/"],
  ["x-total-count", "3"], ["access-control-allow-origin", "https://client.example"], ["cache-control", "max-age=5"],
] }) };"""


def test_the_platform_path_passes_only_headers_that_describe_data(client, user, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    app = publish(user, BROWSER_HEADERS)
    response = client.get(f"/stage/{app.sid}/api/", secure=True)
    assert response.status_code == 401
    for dropped in ("WWW-Authenticate", "Location", "Alt-Svc", "Accept-CH", "Link", "Content-Disposition",
                    "Set-Login", "X-Accel-Redirect", "Service-Worker-Allowed"):  # fmt: skip
        assert dropped not in response, dropped
    # the platform's own policies hold, not the backend's
    assert response["Strict-Transport-Security"] == "max-age=3600"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin" and response["Referrer-Policy"] != "unsafe-url"
    # what describes the data passes
    assert response["X-Total-Count"] == "3" and response["Access-Control-Allow-Origin"] == "https://client.example"
    assert response["Cache-Control"] == "max-age=5"


def test_on_its_own_origin_a_backend_cannot_install_a_service_worker_or_reach_a_front_proxy(client, user):
    app = publish(user, BROWSER_HEADERS)
    response = client.get("/api/sw.js", HTTP_HOST=host(app))
    assert "Service-Worker-Allowed" not in response and "X-Accel-Redirect" not in response
    refused = client.get("/api/sw.js", HTTP_HOST=host(app), HTTP_SERVICE_WORKER="script")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "NOT_FOUND"


def test_a_private_answer_is_never_kept_by_a_shared_cache(client, user, api):
    app = publish(user, version_text("v1"))
    deploy(app, "export default { fetch: () => new Response('v2', { headers: { 'cache-control': 'public' } }) };",
           promote=False)  # fmt: skip
    response = client.get("/api/", HTTP_HOST=host(app, "--preview"), HTTP_AUTHORIZATION=f"Bearer {api.raw_key}")
    assert response.content == b"v2"
    assert response["Cache-Control"] == "private, no-store" and response["Vary"] == "Authorization, Cookie"
    public = client.get("/api/", HTTP_HOST=host(app))
    assert "private" not in public.get("Cache-Control", "")


def test_platform_credentials_in_any_shape_stay_out_of_a_backend(client, user, api):
    app = publish(user, version_text("v1"))
    deploy(app, """export default { fetch: (r: Request) => Response.json({
      auth: r.headers.get("authorization"), cookie: r.headers.get("cookie"), referer: r.headers.get("referer"),
    }) };""", promote=False)  # fmt: skip
    preview = host(app, "--preview")
    token = preview_token_mint(app_sid=app.sid).value
    for shape in (f"Basic dTpw,Bearer {api.raw_key}", f"Bearer\t{api.raw_key}", f"Token {api.raw_key}", api.raw_key):
        seen = client.get(f"/api/?stage_preview={token}", HTTP_HOST=preview, HTTP_AUTHORIZATION=shape).json()
        assert seen["auth"] is None, shape
    seen = client.get(
        "/api/",
        HTTP_HOST=preview,
        HTTP_COOKIE=f"theirs=1,stage_preview={token}",
        HTTP_REFERER=f"http://{preview}/page?stage_preview={token}",
    ).json()
    assert seen["cookie"] == "theirs=1" and seen["referer"] is None


def test_a_neighbours_cookie_under_the_same_name_does_not_lock_a_link_holder_out(client, user):
    app = publish(user, version_text("v1"))
    deploy(app, version_text("v2"), promote=False)
    token = preview_token_mint(app_sid=app.sid).value
    for cookie in (f"stage_preview=junk; stage_preview={token}", f"stage_preview={token}; stage_preview=junk"):
        assert client.get("/api/", HTTP_HOST=host(app, "--preview"), HTTP_COOKIE=cookie).content == b"v2", cookie


def test_malformed_ids_versions_and_ports_are_answered_not_crashed_on(
    client, user, api, django_capture_on_commit_callbacks
):
    app = publish(user, ECHO)
    for path in ("/stage/%00/api/x", "/stage/app_%00/api/x"):
        assert client.get(path).status_code == 404, path
    response = client.get("/api/x", HTTP_HOST=f"{host(app)}:99999999")
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"
    session = api.post("/api/v1/stage/sessions", {}, format="json").json()["data"]["id"]
    api.post(f"/api/v1/stage/sessions/{session}/push", {"files": {"/app/App.tsx": "export default () => null;"}},
             format="json")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/stage/sessions/{session}/render", {}, format="json")
    for value in ("%C2%B2", "%E2%91%A0"):  # Unicode digits, which int() refuses
        assert client.get(f"/s/{session}/frame?v={value}").status_code == 200
        assert client.get(f"/frame?v={value}", HTTP_HOST=f"s-{session}.localhost").status_code == 200


def test_anonymous_callers_cannot_start_processes_for_old_versions(client, user, backend_runtime):
    app = publish(user, version_text("v1"))
    for number in range(2, 6):
        deploy(app, version_text(f"v{number}"))
    for number in range(1, 5):
        assert client.get("/api/", HTTP_HOST=host(app, f"--v{number}")).status_code == 401
    assert backend_runtime.processes() == []
    assert client.get("/api/", HTTP_HOST=host(app, "--v5")).content == b"v5"


def test_preview_links_are_not_signed_with_a_key_anyone_can_read(client, user, settings):
    assert settings.SECRET_KEY != "stage-insecure-development-key"
    app = publish(user, version_text("v1"))
    deploy(app, version_text("v2"), promote=False)
    forged = signing.dumps(
        {"app": app.sid, "exp": int(time.time()) + 600}, key="stage-insecure-development-key", salt=SALT
    )
    assert client.get(f"/api/?stage_preview={forged}", HTTP_HOST=host(app, "--preview")).status_code == 401
