"""The screenshots in docs/ made anew in real Chromium: `.venv/bin/python docs/screenshots/make.py`.

Starts the platform on a free loopback port (bench/harness.py `serve`: the production profile) over a fresh SQLite
database in a temporary folder, with tasks run in-process; publishes the sales dashboard of the browser tests'
corpus through the REST API (version 1 in production, version 2 on preview); signs in to the admin as a staff user
and writes 1280x800 PNGs beside this file. Needs Debian's chromium (or STAGE_CHROMIUM) and the playwright package,
as the browser tests do.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
from bench.harness import api_key, manage, serve  # noqa: E402

CORPUS = ROOT / "tests" / "e2e" / "corpus" / "sales-dashboard"
CHROMIUM = os.environ.get("STAGE_CHROMIUM", "/usr/bin/chromium")
STAFF, PASSWORD = "admin", "screenshots-only-password"
SIZE = {"width": 1280, "height": 800}


def corpus_files() -> dict[str, str]:
    return {f"/{path.relative_to(CORPUS)}": path.read_text() for path in sorted(CORPUS.rglob("*")) if path.is_file()}


class Api:
    """The REST API as a client holding an API key calls it."""

    def __init__(self, base: str, key: str):
        self.http = httpx.Client(base_url=f"{base}/api/v1/stage", headers={"Authorization": f"Bearer {key}"})

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self.http.request(method, path, json=body, timeout=60)
        response.raise_for_status()
        return response.json()["data"]

    def rendered_session(self, files: dict[str, str]) -> str:
        session_id = self.call("POST", "/sessions", {"name": "sales-dashboard"})["id"]
        self.call("POST", f"/sessions/{session_id}/push", {"files": files})
        self.call("POST", f"/sessions/{session_id}/render", {"entry": "/app/App.tsx"})
        deadline = time.monotonic() + 60
        while self.call("GET", f"/sessions/{session_id}/status")["render"]["status"] != "ready":
            if time.monotonic() > deadline:
                raise RuntimeError("the render did not get ready in a minute")
            time.sleep(0.2)
        return session_id

    def two_versions(self, session_id: str, files: dict[str, str]) -> str:
        """An app published from the session (v1 in production), then a change deployed to preview (v2)."""
        sid = self.call("POST", "/apps", {"sessionId": session_id, "name": "Sales dashboard"})["sid"]
        self.call("POST", f"/sessions/{session_id}/push", {"files": {**files, "/app/NOTES.md": "v2\n"}})
        self.call("POST", f"/apps/{sid}/deploy", {})
        return sid


def shoot(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=HERE / name)
    print(f"wrote docs/screenshots/{name}")


def tour(page, base: str, session_id: str, sid: str) -> None:
    page.goto(f"{base}/admin/login/")
    shoot(page, "admin-login.png")
    page.fill("#id_username", STAFF)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    shoot(page, "admin-index.png")
    page.goto(f"{base}/admin/stage/app/")
    shoot(page, "admin-apps.png")
    page.click(f"#result_list a:text-is('{sid}')")
    app_page = page.url  # .../admin/stage/app/<pk>/change/
    shoot(page, "admin-app.png")
    page.goto(app_page.removesuffix("change/") + "move/promote/")
    page.fill("textarea[name=note]", "The new quarter's figures are in")
    shoot(page, "admin-promote.png")
    page.goto(f"{base}/s/{session_id}")
    page.frame_locator("#stage-frame").get_by_text("Revenue").first.wait_for()
    page.wait_for_timeout(2000)  # the charts draw themselves in
    shoot(page, "preview.png")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="stage-screenshots-") as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/db.sqlite3"
        os.environ.pop("REDIS_URL", None)  # embedded: tasks run in the web process
        manage("migrate", "--noinput")
        os.environ["DJANGO_SUPERUSER_PASSWORD"] = PASSWORD
        manage("createsuperuser", "--noinput", "--username", STAFF, "--email", "admin@example.com")
        key = api_key("ada")
        with serve(workers=1, log=Path(folder) / "serve.log") as base:
            api = Api(base, key)
            session_id = api.rendered_session(corpus_files())
            sid = api.two_versions(session_id, corpus_files())
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
                page = browser.new_context(viewport=SIZE).new_page()
                tour(page, base, session_id, sid)
                browser.close()


if __name__ == "__main__":
    main()
