"""The kernel's admin: API keys (made once, shown once, revocable), the task outbox, and the CSP on its pages."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from core.models import ApiKey
from tests.support.rest import data

pytestmark = pytest.mark.django_db


def test_creating_a_key_in_the_admin_shows_it_once_and_it_works(staff):
    user = get_user_model().objects.create_user("bob")
    response = staff.post("/admin/core/apikey/add/", {"user": user.pk, "name": "laptop"}, follow=True)
    message = next(str(m) for m in response.context["messages"] if "New API key" in str(m))
    raw_key = message.split(": ")[1].split(" ")[0]
    assert ApiKey.objects.get(user=user).prefix == raw_key[:12]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert data(client.post("/api/v1/stage/sessions"))["id"]


def test_revoke_action_disables_keys(staff, user):
    from core.keys import apikey_create

    api_key, raw_key = apikey_create(user=user)
    staff.post("/admin/core/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/stage/sessions").status_code == 401


def test_platform_pages_send_a_content_security_policy(client, staff):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "Content-Security-Policy" in staff.get("/admin/stage/session/")
    assert "Content-Security-Policy" in client.get("/api/docs/")


def test_the_outbox_of_unsent_tasks_is_listed_for_staff_and_read_only(staff):
    from core.models import UnsentTask

    UnsentTask.objects.create(task="stage.tasks.render_build", args=[41])
    page = staff.get("/admin/core/unsenttask/")
    assert page.status_code == 200 and "stage.tasks.render_build" in page.content.decode()
    assert staff.get("/admin/core/unsenttask/add/").status_code == 403


@pytest.mark.django_db
def test_records_cannot_be_deleted_or_changed_in_the_admin(staff):
    from django.contrib import admin as django_admin

    from published_api.inference.models import Usage
    from stage.models import ChannelMove
    from workflows.models import BillingItem, Delivery, LedgerEvent, Message, PulseEvent, Run

    request = None
    for model in (Run, Usage, LedgerEvent, BillingItem, PulseEvent, Message, Delivery):
        model_admin = django_admin.site._registry[model]
        assert not model_admin.has_delete_permission(request), model.__name__
        assert not model_admin.has_change_permission(request) and not model_admin.has_add_permission(request)
        listing = staff.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
        assert listing.status_code == 200 and 'value="delete_selected"' not in listing.content.decode()
    inlines = [inline for inline in django_admin.site._registry[ChannelMove.app.field.related_model].inlines]
    history = next(inline for inline in inlines if inline.model is ChannelMove)
    assert not history(ChannelMove, django_admin.site).has_delete_permission(request)


@pytest.mark.django_db
def test_a_sessions_files_renders_and_snapshots_are_deleted_only_with_their_session(staff, api):
    from stage.models import FileVersion, Render, Session, Snapshot
    from tests.support.rest import SESSIONS, new_session

    session_id = new_session(api, {"/app/App.tsx": "a"})
    assert api.post(f"{SESSIONS}/{session_id}/snapshots", {"name": "s"}, format="json").status_code == 201
    session = Session.objects.get(public_id=session_id)
    Render.objects.create(session=session, version=1, entry="/app/App.tsx", status="ready")
    parts = [model.objects.get(session=session) for model in (FileVersion, Render, Snapshot)]

    for part in parts:  # on their own pages: read, never added, changed or deleted
        pages = f"/admin/stage/{part._meta.model_name}/"
        assert staff.get(f"{pages}add/").status_code == 403, pages
        assert staff.post(f"{pages}{part.pk}/change/", {}).status_code == 403, pages
        assert staff.get(f"{pages}{part.pk}/delete/").status_code == 403, pages
        listing = staff.get(pages)
        assert listing.status_code == 200 and 'value="delete_selected"' not in listing.content.decode()

    assert staff.post(f"/admin/stage/session/{session.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not any(type(part).objects.filter(pk=part.pk).exists() for part in parts)


@pytest.mark.django_db
def test_wrong_passwords_lock_the_user_and_the_address_until_staff_lift_it(client, staff_user):
    from axes.models import AccessAttempt
    from django.test import Client

    right = {"username": "root", "password": "pw-123456789"}
    for _ in range(5):
        client.post("/admin/login/?next=/admin/", {**right, "password": "guess"})

    locked = client.post("/admin/login/?next=/admin/", right)
    elsewhere = Client(REMOTE_ADDR="10.9.8.7").post("/admin/login/?next=/admin/", right)  # the user is locked too
    other_user = client.post("/admin/login/?next=/admin/", {"username": "nobody", "password": "x"})  # the address
    assert locked.status_code == elsewhere.status_code == other_user.status_code == 429
    assert "locked" in locked.content.decode().lower()

    colleague = get_user_model().objects.create_superuser("colleague", "c@example.com", "pw-987654321")
    staff = Client(REMOTE_ADDR="10.1.1.1")
    staff.force_login(colleague)
    listing = staff.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "root" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    lifted = staff.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert lifted.status_code == 302 and not AccessAttempt.objects.exists()
    assert client.post("/admin/login/?next=/admin/", right).status_code == 302  # signed in


@pytest.mark.django_db
def test_lists_show_states_as_coloured_badges_times_in_words_and_rounded_durations(
    staff, api, django_capture_on_commit_callbacks
):
    from tests.support.renders import trigger
    from tests.support.rest import api_publish, new_session
    from tests.support.workflows import publish_workflows, run

    session_id = new_session(api, {"/app/App.tsx": "import x from 'nope';\nexport default x;"})
    trigger(api, session_id, django_capture_on_commit_callbacks)
    built = new_session(api, {"/app/App.tsx": "export default () => <p>ok</p>;"})
    trigger(api, built, django_capture_on_commit_callbacks)
    api_publish(api)
    app = publish_workflows(api, {"w": {"steps": [{"pulse.track": {"event": "{{ input.missing }}"}}]}})
    run(api, app["sid"], "w", {})

    sessions = staff.get("/admin/stage/session/").content.decode()
    renders = staff.get("/admin/stage/render/").content.decode()
    runs = staff.get("/admin/workflows/run/").content.decode()
    apps = staff.get("/admin/stage/app/").content.decode()

    assert "background:#b42318" in sessions and ">failed</span>" in sessions  # the failed build, in red
    assert ">failed</span>" in renders and ">ready</span>" in renders and " ms</td>" in renders
    assert ">failed</span>" in runs and ("now" in runs or "seconds ago" in runs)
    assert ">active</span>" in apps and "background:#1a7f37" in apps
    assert "+00:00" not in sessions + renders + runs  # no raw timestamps
