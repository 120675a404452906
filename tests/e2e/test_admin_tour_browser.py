"""A staff member's tour of the admin in real Chromium, signed in with a password and an authenticator code.

An app is published through the REST API, then promoted, rolled back and archived through the admin's
confirmation pages; the channel history keeps the reasons. With something in every corner of the platform,
records cannot be deleted anywhere, and every list and change page opens with no HTTP error and no console error.
"""

import time

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from core.admin.readonly import RecordAdminMixin
from published_api.inference.models import Usage
from stage.models import App, AppVersion, ChannelMove
from tests.support.admin_data import seed
from tests.support.rest import api_deploy, api_publish, push
from workflows.models import LedgerEvent, Run, StepRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-tour-123456"


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def problems(page):
    """Console errors and uncaught exceptions of every page the tour opens (frames included)."""
    found = []

    def console(message):
        if message.type == "error":
            found.append(f"{message.text} ({message.location.get('url')} on {page.url})")

    page.on("console", console)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


@pytest.fixture
def staff_page(page, live_server, problems):
    """Signed in through the real login form: password and the authenticator's current code."""
    user = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


def visit(page, url: str) -> int:
    response = page.goto(url)
    return response.status if response else 0


def move(page, title: str, summary: str, note: str, button: str, version: AppVersion | None = None) -> None:
    """From the app's page through one confirmation page (its version chosen already), giving the reason."""
    page.click(f".object-tools a:text-is('{title}')")
    expect(page.locator(".stage-move-summary")).to_have_text(summary)
    expect(page.locator("select[name=version]")).to_have_count(1 if version else 0)
    if version:
        expect(page.locator("select[name=version]")).to_have_value(version.sid)
    page.fill("textarea[name=note]", note)
    page.click(f"input[type=submit][value='{button}']")
    expect(page.locator(".messagelist .success")).to_contain_text(summary)


def test_promote_roll_back_and_archive_through_the_confirmation_pages(staff_page, api, live_server, problems):
    page = staff_page
    published = api_publish(api)
    push(api, published["sessionId"], {"/app/App.tsx": "export default () => <h1>Hello again</h1>;"})
    api_deploy(api, published["sid"])  # v2 on preview, production still on v1
    app = App.objects.get(sid=published["sid"])
    v1, v2 = AppVersion.objects.filter(app=app).order_by("number")

    page.goto(f"{live_server.url}/admin/stage/app/{app.pk}/change/")
    move(page, "Promote to production", "production v1 → v2", "Ship the new greeting", "Yes, promote to production", v2)
    move(page, "Roll back production", "production v2 → v1", "It broke sign-up", "Yes, roll back production", v1)
    move(page, "Archive", "production stays on v1", "Replaced by the new booking app", "Yes, archive")

    history = page.locator(".inline-group", has_text="Channel history")
    for note in ["Ship the new greeting", "It broke sign-up", "Replaced by the new booking app"]:
        expect(history).to_contain_text(note)
    assert list(ChannelMove.objects.filter(app=app).exclude(note="").values_list("reason", flat=True)) == [
        "archive",
        "rollback",
        "promote",
    ]
    app.refresh_from_db()
    assert app.status == App.Status.ARCHIVED
    expect(page.locator(".object-tools a", has_text="Unarchive")).to_be_visible()
    assert problems == [], "\n".join(problems)


def test_records_cannot_be_deleted_and_every_admin_page_opens_cleanly(
    staff_page, api, capture, settings, live_server, problems
):
    page, started = staff_page, time.monotonic()
    failures = {"/admin/login/": list(problems)} if problems else {}  # what signing in logged
    problems.clear()

    def check(url: str) -> None:
        status = visit(page, f"{live_server.url}{url}")
        found = ([f"HTTP {status}"] if status >= 400 else []) + problems
        if found:
            failures[url] = list(found)
        problems.clear()

    app = App.objects.get(sid=seed(api, capture, settings)["sid"])
    records = [model for model, admin_ in admin.site._registry.items() if isinstance(admin_, RecordAdminMixin)]
    assert {Run, Usage, LedgerEvent} <= set(records)
    for model in records:  # no delete action, no delete button, and the delete page is refused
        check(admin_url(model, "changelist"))
        expect(page.locator("select[name=action] option[value=delete_selected]")).to_have_count(0)
        check(admin_url(model, "change", first_pk(model)))
        expect(page.locator("a.deletelink")).to_have_count(0)
        assert visit(page, f"{live_server.url}{admin_url(model, 'delete', first_pk(model))}") == 403, model
        problems.clear()  # the browser logs the refusal
    for url in [admin_url(App, "change", app.pk), admin_url(Run, "change", first_pk(Run))]:
        check(url)  # the channel history and a run's steps have no delete box either
        expect(page.locator("input[name$='-DELETE']")).to_have_count(0)
    assert StepRun.objects.exists()
    assert failures == {}

    empty = []
    for url in admin_pages(empty):
        check(url)
    assert failures == {}
    assert len(empty) <= len(admin.site._registry) // 5, f"no rows to open for {empty}"
    assert time.monotonic() - started < 80


def first_pk(model):
    return model._default_manager.order_by("pk").values_list("pk", flat=True).first()


def admin_url(model, view: str, pk=None) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[] if pk is None else [quote(pk)])


def admin_pages(empty: list) -> list[str]:
    """The index, each app's index, every changelist and its first row's change page (models with no row are
    added to `empty`)."""
    urls = [reverse("admin:index")]
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        app_index = reverse("admin:app_list", kwargs={"app_label": model._meta.app_label})
        urls += [] if app_index in urls else [app_index]
        urls.append(admin_url(model, "changelist"))
        pk = first_pk(model)
        if pk is None:
            empty.append(model._meta.label)
        else:
            urls.append(admin_url(model, "change", pk))
    return urls
