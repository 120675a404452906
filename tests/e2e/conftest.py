"""Real headless Chromium (Debian's package) driven by Playwright against pytest-django's live server."""

import os

import pytest

from tests.support.services import CHROMIUM, chromium_available

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module; Playwright (and its event loop) stops when the module is done."""
    if not chromium_available():
        pytest.skip("needs headless Chromium")  # require_marked_services fails instead under STAGE_REQUIRE_SERVICES
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in a greenlet on the test thread; while it lives Django takes
    # that for an async context and refuses the ORM calls the tests make between browser steps.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def apps_on_the_live_server(request, settings):
    """App and preview origins (<label>.localhost) are served by the live server, on its port."""
    if "live_server" in request.fixturenames:
        settings.STAGE_APPS_PORT = int(request.getfixturevalue("live_server").url.rsplit(":", 1)[1])


@pytest.fixture
def backends():
    """Backend processes the live server starts are stopped after each test."""
    from published_api.runtime import supervisor

    yield supervisor
    supervisor.stop_all()


@pytest.fixture
def collector():
    """A server on 127.0.0.1 standing in for an attacker's: whatever a hostile page manages to send lands here."""
    from tests.support.local_server import LocalServer

    with LocalServer() as server:
        server.routes["/collect"] = (204, {"Access-Control-Allow-Origin": "*"}, b"")
        yield server
