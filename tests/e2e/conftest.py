"""Real headless Chromium (Debian's package) driven by Playwright against pytest-django's live server."""

import os

import pytest

from tests.services import CHROMIUM, chromium_available

# Playwright's sync API keeps an asyncio loop in a greenlet on the test thread; Django would take that for an
# async context and refuse ORM calls the test makes between browser steps. Nothing here is really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    if not chromium_available():
        pytest.skip("needs headless Chromium")  # require_marked_services fails instead under STAGE_REQUIRE_SERVICES
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
