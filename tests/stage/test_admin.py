import pytest

from tests.support.rest import new_session, push

pytestmark = pytest.mark.django_db


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
