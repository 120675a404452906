import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from stage.models import ApiKey
from tests.stage.helpers import data, new_session, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(admin)
    return client


def test_session_pages_render_with_files_and_history(staff, api):
    session_id = new_session(api, name="demo")
    push(api, session_id, {"/app/App.tsx": "a"})
    push(api, session_id, {"/app/App.tsx": "b"})
    changelist = staff.get("/admin/stage/session/?q=demo")
    assert changelist.status_code == 200 and session_id in changelist.content.decode()
    from stage.models import Session

    session = Session.objects.get(public_id=session_id)
    page = staff.get(f"/admin/stage/session/{session.pk}/change/").content.decode()
    assert "/app/App.tsx" in page and "all versions" in page
    history = staff.get(f"/admin/stage/fileversion/?session__id__exact={session.pk}&path=/app/App.tsx")
    assert history.status_code == 200 and history.content.decode().count("/app/App.tsx") >= 2


def test_file_versions_are_read_only(staff, api):
    session_id = new_session(api)
    push(api, session_id, {"/a.ts": "a"})
    from stage.models import FileVersion

    version = FileVersion.objects.get()
    assert staff.post(f"/admin/stage/fileversion/{version.pk}/change/", {"content": "tampered"}).status_code == 403
    version.refresh_from_db()
    assert version.content == "a"
    assert staff.get("/admin/stage/fileversion/add/").status_code == 403


def test_creating_a_key_in_the_admin_shows_it_once_and_it_works(staff):
    user = get_user_model().objects.create_user("bob")
    response = staff.post("/admin/stage/apikey/add/", {"user": user.pk, "name": "laptop"}, follow=True)
    message = next(str(m) for m in response.context["messages"] if "New API key" in str(m))
    raw_key = message.split(": ")[1].split(" ")[0]
    assert ApiKey.objects.get(user=user).prefix == raw_key[:12]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert data(client.post("/api/v1/stage/sessions"))["id"]


def test_revoke_action_disables_keys(staff, user):
    from stage.services.keys import apikey_create

    api_key, raw_key = apikey_create(user=user)
    staff.post("/admin/stage/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
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
    from stage.models import UnsentTask

    UnsentTask.objects.create(task="stage.tasks.render_build", args=[41])
    page = staff.get("/admin/stage/unsenttask/")
    assert page.status_code == 200 and "stage.tasks.render_build" in page.content.decode()
    assert staff.get("/admin/stage/unsenttask/add/").status_code == 403
