"""The apps admin: list, search, filters, pages, and actions that call the same services as the API."""

import pytest

from stage.models import App, AppVersion, Channel, ChannelMove
from tests.support.factories import AppFactory, ChannelFactory
from tests.support.rest import api_deploy, api_publish, push

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/stage/app/"


def act(staff, action: str, *apps: dict):
    pks = [App.objects.get(sid=app["sid"]).pk for app in apps]
    return staff.post(CHANGELIST, {"action": action, "_selected_action": pks}, follow=True)


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


def test_archive_and_unarchive_actions(staff, api):
    app = api_publish(api)
    response = act(staff, "archive", app)
    assert "Archived 1 app(s)." in response.content.decode()
    assert App.objects.get(sid=app["sid"]).status == "archived"
    # an archived app refuses promotion, reported per app
    refused = act(staff, "promote", app).content.decode()
    assert f"For {app['sid']}: App {app['sid']} is archived" in refused
    act(staff, "unarchive", app)
    assert App.objects.get(sid=app["sid"]).status == "active"


def test_promote_and_rollback_actions_move_production_and_record_staff(staff, staff_user, api):
    app = api_publish(api)
    api_deploy(api, app["sid"])
    assert "Promoted 1 app(s)." in act(staff, "promote", app).content.decode()
    assert production(app) == 2
    promote = ChannelMove.objects.filter(app__sid=app["sid"]).first()
    assert promote.moved_by == staff_user and promote.reason == "promote"
    assert "Rolled back 1 app(s)." in act(staff, "rollback", app).content.decode()
    assert production(app) == 1
    nothing_left = act(staff, "rollback", app).content.decode()
    assert "no earlier version" in nothing_left and production(app) == 1


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
