"""The apps admin: list, search, filters, pages, and actions that call the same services as the API."""

import pytest

from stage.models import App, AppVersion, Channel, ChannelMove
from stage.origins.names import app_url
from tests.support.factories import AppFactory, ChannelFactory
from tests.support.rest import api_deploy, api_publish, push

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/stage/app/"


def act(staff, action: str, *apps: dict, note: str | None = "routine"):
    """A bulk action: the confirmation page first; then, given a note, the confirmed post. Returns the last page."""
    pks = [App.objects.get(sid=app["sid"]).pk for app in apps]
    asked = staff.post(CHANGELIST, {"action": action, "_selected_action": pks})
    assert asked.status_code == 200 and "are you sure?" in asked.content.decode()
    if note is None:
        return asked
    form = {"action": action, "_selected_action": pks, "confirmed": "yes", "note": note}
    return staff.post(CHANGELIST, form, follow=True)


def production(app: dict) -> int:
    return Channel.objects.get(app__sid=app["sid"], name="production").version.number


def test_list_shows_channels_and_searches_by_sid_name_and_author(staff, api, other_api, user):
    mine, theirs = api_publish(api), api_publish(other_api)
    api_deploy(api, mine["sid"])
    page = staff.get(CHANGELIST).content.decode()
    assert mine["sid"] in page and theirs["sid"] in page
    assert "v2" in page  # mine's preview
    for query in (mine["sid"], user.email, "alice"):
        found = staff.get(CHANGELIST, {"q": query}).content.decode()
        assert mine["sid"] in found and theirs["sid"] not in found, query


def test_status_filter(staff):
    active, archived = AppFactory(), AppFactory(status=App.Status.ARCHIVED)
    page = staff.get(CHANGELIST, {"status__exact": "archived"}).content.decode()
    assert archived.sid in page and active.sid not in page


def test_bulk_actions_ask_first_and_change_nothing_until_confirmed(staff, api):
    app = api_publish(api)
    api_deploy(api, app["sid"])
    asked = act(staff, "promote", app, note=None).content.decode()
    assert "production v1 → v2" in asked
    assert production(app) == 1 and ChannelMove.objects.filter(app__sid=app["sid"], reason="promote").count() == 0
    # a confirmation without a reason is asked again, still changing nothing
    pk = App.objects.get(sid=app["sid"]).pk
    again = staff.post(CHANGELIST, {"action": "promote", "_selected_action": [pk], "confirmed": "yes", "note": ""})
    assert again.status_code == 200 and "This field is required" in again.content.decode()
    assert production(app) == 1


def test_archive_and_unarchive_actions(staff, staff_user, api):
    app = api_publish(api)
    response = act(staff, "archive", app, note="spam reports")
    assert f"Archived {app['sid']}: production stays on v1." in response.content.decode()
    assert App.objects.get(sid=app["sid"]).status == "archived"
    archived = ChannelMove.objects.filter(app__sid=app["sid"]).first()
    assert (archived.reason, archived.note, archived.moved_by) == ("archive", "spam reports", staff_user)
    # an archived app has nothing to promote: the page says so and offers no button
    refused = act(staff, "promote", app, note=None).content.decode()
    assert "is archived: nothing to do" in refused and "Yes, promote" not in refused
    act(staff, "unarchive", app)
    assert App.objects.get(sid=app["sid"]).status == "active"


def test_promote_and_rollback_actions_move_production_and_record_staff(staff, staff_user, api):
    app = api_publish(api)
    api_deploy(api, app["sid"])
    done = act(staff, "promote", app, note="ship it").content.decode()
    assert f"Promoted {app['sid']}: production v1 → v2." in done
    assert production(app) == 2
    promote = ChannelMove.objects.filter(app__sid=app["sid"]).first()
    assert (promote.moved_by, promote.reason, promote.note) == (staff_user, "promote", "ship it")
    assert f"Rolled back {app['sid']}: production v2 → v1." in act(staff, "rollback", app).content.decode()
    assert production(app) == 1
    nothing_left = act(staff, "rollback", app, note=None).content.decode()
    assert "no earlier version to roll back to" in nothing_left and production(app) == 1


def test_an_apps_page_promotes_and_rolls_back_to_a_chosen_version_with_a_reason(staff, staff_user, api):
    app = api_publish(api)
    for _ in range(2):
        api_deploy(api, app["sid"])
    pk = App.objects.get(sid=app["sid"]).pk
    page = staff.get(f"{CHANGELIST}{pk}/change/").content.decode()
    for name in ("promote", "rollback", "archive"):
        assert f"{CHANGELIST}{pk}/move/{name}/" in page
    v2 = AppVersion.objects.get(app__sid=app["sid"], number=2).sid
    asked = staff.get(f"{CHANGELIST}{pk}/move/promote/", {"version": v2}).content.decode()
    assert "production v1 → v2" in asked
    done = staff.post(f"{CHANGELIST}{pk}/move/promote/", {"version": v2, "note": "v2 is the one"}, follow=True)
    assert done.redirect_chain[-1][0] == f"{CHANGELIST}{pk}/change/" and production(app) == 2
    v3 = AppVersion.objects.get(app__sid=app["sid"], number=3).sid
    staff.post(f"{CHANGELIST}{pk}/move/promote/", {"version": v3, "note": "now v3"})
    assert production(app) == 3
    # roll back past v2, straight to v1, chosen on the page
    v1 = AppVersion.objects.get(app__sid=app["sid"], number=1).sid
    staff.post(f"{CHANGELIST}{pk}/move/rollback/", {"version": v1, "note": "v2 and v3 are broken"})
    assert production(app) == 1
    back = ChannelMove.objects.filter(app__sid=app["sid"]).first()
    assert (back.reason, back.from_version.number, back.to_version.number) == ("rollback", 3, 1)
    assert back.note == "v2 and v3 are broken" and back.moved_by == staff_user
    history = staff.get(f"{CHANGELIST}{pk}/change/").content.decode()
    assert "v2 and v3 are broken" in history
    # the version page leads to the same confirmation
    version_page = staff.get(f"/admin/stage/appversion/{AppVersion.objects.get(sid=v3).pk}/change/").content.decode()
    assert f"{CHANGELIST}{pk}/move/promote/?version={v3}" in version_page


def test_another_apps_version_cannot_be_chosen(staff, api):
    app, other = api_publish(api), api_publish(api)
    pk = App.objects.get(sid=app["sid"]).pk
    foreign = AppVersion.objects.get(app__sid=other["sid"]).sid
    answer = staff.post(f"{CHANGELIST}{pk}/move/promote/", {"version": foreign, "note": "x"})
    assert answer.status_code == 200 and "Select a valid choice" in answer.content.decode()
    assert production(app) == 1


def test_app_page_shows_versions_history_and_session_links(staff, api):
    app = api_publish(api)
    workflows = '{"version": 1, "workflows": {"greetVisitor": {"steps": [{"response": {"body": "hi"}}]}}}'
    push(api, app["sessionId"], {"/app/shift.workflows.json": workflows})
    api_deploy(api, app["sid"], promote=True)
    pk = App.objects.get(sid=app["sid"]).pk
    page = staff.get(f"{CHANGELIST}{pk}/change/").content.decode()
    assert "Versions (open one for its file manifest)" in page and "Channel history" in page
    assert "deploy --promote" in page and "publish" in page
    assert f"/s/{app['sessionId']}" in page
    assert "greetVisitor" in page and "/app/src/app.ts" in page


def test_edit_goes_through_the_service_and_its_validation(staff, api):
    app = api_publish(api)
    pk = App.objects.get(sid=app["sid"]).pk
    url = f"{CHANGELIST}{pk}/change/"
    form = {
        "name": "renamed by staff",
        "description": "",
        "config": '{"slackChannelId": "C9"}',
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "channel_moves-TOTAL_FORMS": "0",
        "channel_moves-INITIAL_FORMS": "0",
    }
    assert staff.post(url, form).status_code == 302
    saved = App.objects.get(pk=pk)
    assert saved.name == "renamed by staff" and saved.config == {"slackChannelId": "C9"}
    refused = staff.post(url, form | {"config": "[1, 2]"})
    assert refused.status_code == 200 and "config must be a JSON object" in refused.content.decode()
    assert App.objects.get(pk=pk).config == {"slackChannelId": "C9"}


def test_version_page_shows_manifest_and_what_the_deploy_found(staff, api):
    app = api_publish(api)
    push(api, app["sessionId"], {"/app/shift.workflows.json": '{"version": 1, "workflows": {}}'})
    version_sid = api_deploy(api, app["sid"])["version"]["sid"]
    version = AppVersion.objects.get(sid=version_sid)
    page = staff.get(f"/admin/stage/appversion/{version.pk}/change/").content.decode()
    for text in ("/app/src/app.ts", "/app/compute/tasks.ts", "tasks", "bytes", "workflows", "from /app/App.tsx"):
        assert text in page, text
    # the version's own origin (what it serves forever), not the session's latest render; never in production,
    # so staff open it through a fresh preview link
    label = app["sid"].replace("_", "-")
    assert f'href="http://{label}--v2.localhost/?stage_preview=' in page
    assert f"/s/{app['sessionId']}" not in page
    v1 = AppVersion.objects.get(app__sid=app["sid"], number=1)
    first = staff.get(f"/admin/stage/appversion/{v1.pk}/change/").content.decode()
    assert f'href="http://{label}--v1.localhost"' in first


def test_history_and_versions_cannot_be_edited_or_apps_deleted(staff):
    version = ChannelFactory().version
    assert staff.post(f"/admin/stage/appversion/{version.pk}/change/", {"number": 9}).status_code == 403
    pk = version.app.pk
    assert staff.post(f"{CHANGELIST}{pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff.get("/admin/stage/app/add/").status_code == 403
    assert App.objects.filter(pk=pk).exists()


def test_non_staff_are_sent_to_login(client, api, user):
    api_publish(api)
    client.force_login(user)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_apps_page_lists_versions_newest_first_marking_what_each_channel_serves(staff, api):
    app = api_publish(api)
    api_deploy(api, app["sid"])  # v2: preview moves, production stays on v1

    page = staff.get(f"/admin/stage/app/{App.objects.get(sid=app['sid']).pk}/change/").content.decode()

    versions = page[page.index("Versions (open one") :]
    assert versions.index(">2<") < versions.index(">1<")  # newest first
    second, first = versions.split(">1<")[0], versions.split(">1<")[1]
    assert ">preview</span>" in second and ">production</span>" in first
    assert "+00:00" not in page


def test_an_apps_page_shows_its_production_ui_runs_messages_and_usage_with_links_to_the_rest(staff, api):
    from published_api.inference.models import Usage
    from tests.support.factories import RunFactory
    from workflows.models import CommunicationChannel, Delivery, Message

    published = api_publish(api)
    app = App.objects.get(sid=published["sid"])
    version = AppVersion.objects.get(app=app)
    run = RunFactory(app=app, version=version, workflow="nightly-report", status="failed", duration_ms=21.376)
    channel = CommunicationChannel.objects.create(owner=app.author, name="ops-email", kind="email")
    message = Message.objects.create(app=app, channel=channel, to="ops@example.com", text="hi")
    Delivery.objects.create(message=message, status="delivered")
    for tokens in (10, 20):
        Usage.objects.create(
            session_id="s", app_sid=app.sid, provider="openai", model="m", kind="chat", input_tokens=tokens
        )
    someone_elses = api_publish(api)
    other_run = RunFactory(app=App.objects.get(sid=someone_elses["sid"]), workflow="not-this-one")

    response = staff.get(f"{CHANGELIST}{app.pk}/change/")
    page = response.content.decode()

    assert run.public_id in page and "nightly-report" in page and "21 ms" in page and "not-this-one" not in page
    assert message.public_id in page and "ops@example.com" in page and ">delivered<" in page
    assert f"/admin/workflows/run/?app__id__exact={app.pk}" in page
    assert f"/admin/workflows/message/?q={app.sid}" in page
    assert f"/admin/inference/usage/?app_sid={app.sid}" in page
    assert "<td>2</td><td>0</td><td>30</td>" in page  # today: two calls, no error, 30 tokens
    # the production UI, framed from the app's own origin, which the page's policy names
    origin = app_url(app.sid)
    assert f'<iframe src="{origin}/"' in page
    assert f"frame-src 'self' {origin}" in response["Content-Security-Policy"]
    for link in (f"/admin/workflows/run/?app__id__exact={app.pk}", f"/admin/workflows/message/?q={app.sid}"):
        filtered = staff.get(link)
        assert filtered.status_code == 200 and other_run.public_id not in filtered.content.decode()
