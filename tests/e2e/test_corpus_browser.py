"""A corpus of apps written the way agents write them for Stage (tests/e2e/corpus/<name>/app/...): each pushed,
rendered and opened in real Chromium, where it renders without a runtime error, its Tailwind classes take effect,
its interactions work and its live data arrives. Between them they import every shadcn/ui module."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from stage.models import SessionValue
from tests.support.convex import convex_client_for, value
from tests.support.renders import render_state, trigger
from tests.support.rest import new_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CORPUS = Path(__file__).resolve().parent / "corpus"


def corpus_files(name: str) -> dict[str, str]:
    root = CORPUS / name
    return {f"/{path.relative_to(root)}": path.read_text() for path in sorted(root.rglob("*")) if path.is_file()}


def css(locator, prop: str) -> str:
    return locator.evaluate(f"el => getComputedStyle(el).getPropertyValue({prop!r})")


def check_sales_dashboard(frame, context):
    expect(frame.get_by_test_id("stat-Revenue")).to_have_text("$20,400")
    expect(frame.locator("svg.recharts-surface")).to_have_count(2)
    card = frame.locator("[data-slot=card]").first
    assert css(card, "border-top-left-radius") not in ("", "0px")
    assert css(frame.locator("text=+12.5%"), "background-color").endswith("/ 0.2)")  # bg-green-500/20


def check_signup_form(frame, context):
    frame.locator("#submit").click()
    for message in ("Email is required", "Pick a plan", "Accept the terms"):
        expect(frame.get_by_text(message, exact=True)).to_be_visible()
    frame.locator("#email").fill("ada@example.com")
    frame.locator("#plan").click()
    frame.get_by_role("option", name="Pro").click()
    frame.locator("#terms").click()
    frame.locator("#submit").click()
    expect(frame.locator("#done")).to_contain_text("Signed up ada@example.com on the pro plan")


def check_settings_kv(frame, context):
    frame.locator("#edit").click()
    expect(frame.get_by_role("dialog")).to_be_visible()
    frame.locator("#notifications").click()
    frame.locator("#save").click()
    expect(frame.locator("#summary")).to_have_text("Notifications on, volume 50")
    expect(frame.get_by_role("dialog")).to_be_hidden()
    context.page.reload()
    expect(frame.locator("#summary")).to_have_text("Notifications on, volume 50")
    stored = SessionValue.objects.get(session__public_id=context.session_id, key="settings").value
    assert stored == {"notifications": True, "volume": 50}


def check_tabbed_report(frame, context):
    frame.locator("#started").click()
    expect(frame.locator("[data-task]")).to_have_count(2)
    frame.locator("#tab-table").click()
    expect(frame.locator("#report-table tbody tr")).to_have_count(3)
    expect(frame.locator("[data-task]").first).to_be_hidden()


def check_crm_multifile(frame, context):
    header = frame.get_by_text("CRM", exact=True)
    assert css(header, "color") == "rgb(37, 99, 235)"  # from the CSS module
    expect(frame.locator("[data-contact]")).to_have_count(2)
    expect(frame.locator("[data-contact='ada@example.com']")).to_contain_text("AL")
    expect(frame.locator("[data-contact='ada@example.com']")).to_contain_text("$12,000")


def check_live_counter(frame, context):
    expect(frame.locator("#count")).to_have_text("0")
    frame.locator("#increment").click()
    expect(frame.locator("#count")).to_have_text("1")
    value(context.cli, "mutation", "setLiveData", {"sessionId": context.session_id, "data": {"count": 7}})
    expect(frame.locator("#count")).to_have_text("7", timeout=1500)


def check_team_chat(frame, context):
    frame.locator("#draft").fill("Standup in 5")
    frame.locator("#send").click()
    expect(frame.locator("#messages li")).to_have_text(["user: Standup in 5"])
    value(context.cli, "mutation", "sendMessage", {"sessionId": context.session_id, "text": "On my way"})
    agent = frame.locator("#messages li").nth(1)
    expect(agent).to_have_text("agent: On my way", timeout=1500)
    assert css(agent, "color") != css(frame.locator("#messages li").first, "color")  # text-blue-600


def check_kanban(frame, context):
    frame.locator("#menu-1").click()
    frame.get_by_role("menuitem", name="Done").click()
    expect(frame.locator("[data-column=Done]")).to_contain_text("Write spec")
    expect(frame.locator("[data-column=Todo]")).not_to_contain_text("Write spec")


def check_dark_mode(frame, context):
    surface = frame.locator("#surface")
    light = css(surface, "background-color")
    frame.locator("#theme").click()
    expect(frame.locator("#root-theme")).to_have_class("dark")
    assert css(surface, "background-color") != light  # bg-background from the .dark ancestor


def check_booking(frame, context):
    frame.locator("#pick").click()
    grid = frame.get_by_role("grid")
    expect(grid).to_be_visible()
    grid.get_by_role("button").filter(has_text="15").first.click()
    expect(frame.locator("#pick")).not_to_have_text("Pick a date")
    context.page.keyboard.press("Escape")
    frame.locator("#book").click()
    expect(frame.get_by_role("alertdialog")).to_be_visible()
    frame.locator("#confirm").click()
    expect(frame.locator("#booked")).to_have_text("Booked")


def check_command_palette(frame, context):
    search = frame.get_by_placeholder("Type a command…")
    search.fill("sha")
    expect(frame.get_by_role("option")).to_have_text(["Share"])
    search.press("Enter")
    expect(frame.locator("#last")).to_contain_text("Last: Share")


def check_csv_explorer(frame, context):
    rows = frame.locator("#totals tbody tr")
    expect(rows).to_have_text(["North150", "South100", "West20"])
    frame.locator("#group-by").click()
    frame.get_by_role("option", name="By product").click()
    expect(rows).to_have_text(["Widgets190", "Gadgets80"])
    frame.locator("#raw").click()
    expect(frame.locator("#rows")).to_have_text("5 rows")


def check_admin_shell(frame, context):
    frame.locator("#open-nav").click()
    expect(frame.locator("#nav-links")).to_be_visible()
    context.page.keyboard.press("Escape")
    expect(frame.locator("#nav-links")).to_be_hidden()
    frame.locator("#faq").click()
    expect(frame.get_by_text("An admin shell.")).to_be_visible()


CHECKS = {
    "sales-dashboard": check_sales_dashboard,
    "signup-form": check_signup_form,
    "settings-kv": check_settings_kv,
    "tabbed-report": check_tabbed_report,
    "crm-multifile": check_crm_multifile,
    "live-counter": check_live_counter,
    "team-chat": check_team_chat,
    "kanban": check_kanban,
    "dark-mode": check_dark_mode,
    "booking": check_booking,
    "command-palette": check_command_palette,
    "csv-explorer": check_csv_explorer,
    "admin-shell": check_admin_shell,
}


class Context:
    def __init__(self, page, session_id, cli):
        self.page, self.session_id, self.cli = page, session_id, cli


def test_the_corpus_is_all_here_and_imports_every_shadcn_module():
    assert sorted(CHECKS) == sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
    ui = Path(__file__).resolve().parents[2] / "stage" / "renders" / "js" / "ui"
    modules = {path.stem for path in ui.glob("*.tsx") if not path.name.startswith("_")}
    sources = "".join(content for name in CHECKS for content in corpus_files(name).values())
    assert {module for module in modules if f'"@/components/ui/{module}"' not in sources} == set()


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_a_corpus_app_renders_styled_interactive_and_live(name, api, capture, page, live_server, user):
    session_id = new_session(api, corpus_files(name))
    trigger(api, session_id, capture)
    state = render_state(api, session_id)
    assert state["status"] == "ready", state["error"]
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: errors.append(response.url) if response.status >= 400 else None)

    page.goto(f"{live_server.url}/s/{session_id}")
    frame = page.frame_locator("#stage-frame")
    CHECKS[name](frame, Context(page, session_id, convex_client_for(user)))

    expect(page.locator("#stage-runtime-error")).to_be_hidden()
    expect(page.locator("#stage-status")).to_have_text("ready")
    assert render_state(api, session_id)["error"] is None
    assert not [e for e in errors if "Warning" not in e], errors


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks
