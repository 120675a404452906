"""Structured editing of JSON in the admin: an app's config as checked, pretty-printed JSON; a session's Google
scopes one per line, each checked like the API checks them. A mistake is a form error naming what and where, and
saves nothing."""

import pytest
from django.core.exceptions import ValidationError

from core.admin.json_field import JSONEditorField, LinesField
from stage.models import App, Session
from tests.support.factories import SessionFactory
from tests.support.rest import api_publish

SHEETS = "https://www.googleapis.com/auth/spreadsheets"
NO_INLINES = {f"{prefix}-{count}": "0" for prefix in ("versions", "channel_moves", "current_files", "renders")
              for count in ("TOTAL_FORMS", "INITIAL_FORMS")}  # fmt: skip


@pytest.mark.django_db
def test_app_config_is_pretty_printed_and_a_typo_is_named_and_saves_nothing(staff, api):
    app = App.objects.get(sid=api_publish(api)["sid"])
    url = f"/admin/stage/app/{app.pk}/change/"
    form = {"name": app.name, "description": "", **NO_INLINES}
    assert staff.post(url, {**form, "config": '{"sheetId": "s1", "rows": [1, 2]}'}).status_code == 302
    page = staff.get(url).content.decode()
    assert "{\n  &quot;rows&quot;: [\n    1,\n    2\n  ],\n  &quot;sheetId&quot;: &quot;s1&quot;\n}</textarea>" in page
    assert "{{ config.x }}" in page  # the help says what the config is for

    typo = staff.post(url, {**form, "name": "renamed", "config": "{\n  sheetId: 1\n}"}).content.decode()
    assert "Not valid JSON: Expecting property name enclosed in double quotes at line 2, column 3." in typo
    assert "sheetId: 1\n}</textarea>" in typo  # what was typed is kept for correcting
    assert App.objects.filter(pk=app.pk, name=app.name, config={"sheetId": "s1", "rows": [1, 2]}).exists()


@pytest.mark.django_db
def test_session_scopes_are_one_per_line_and_checked_like_the_api(staff):
    session = SessionFactory(google_scopes=[SHEETS])
    url = f"/admin/stage/session/{session.pk}/change/"
    assert f"{SHEETS}</textarea>" in staff.get(url).content.decode()
    form = {"name": session.name, "owner": session.owner.pk, **NO_INLINES}
    bad = staff.post(url, {**form, "google_scopes": f"{SHEETS}\nhttps://evil.example.com/auth/x"}).content.decode()
    assert "Line 2 (https://evil.example.com/auth/x): not a Google OAuth scope" in bad
    session.refresh_from_db()
    assert session.google_scopes == [SHEETS]

    drive = "https://www.googleapis.com/auth/drive.file"
    assert staff.post(url, {**form, "google_scopes": f" {SHEETS}\n\n{drive}\nemail\n{SHEETS}"}).status_code == 302
    session.refresh_from_db()
    assert session.google_scopes == [SHEETS, drive, "email"]
    assert staff.post(url, {**form, "google_scopes": ""}).status_code == 302
    assert Session.objects.get(pk=session.pk).google_scopes == []


def test_the_json_editor_names_the_shape_it_expects():
    field = JSONEditorField(shape=list)
    assert field.clean("") == [] and field.clean('["a"]') == ["a"]
    with pytest.raises(ValidationError, match=r"Expected a JSON array \(\[\.\.\.\]\), got an object\."):
        field.clean('{"a": 1}')
    with pytest.raises(ValidationError, match=r"Not valid JSON: Expecting value at line 1, column 6\."):
        field.clean('["a",]')
    assert JSONEditorField(shape=None).clean("") is None and JSONEditorField(shape=None).clean("3") == 3


def test_lines_take_a_pasted_json_array_and_refuse_too_many():
    field = LinesField(max_items=2)
    assert field.clean('["a", " b ", "a"]') == ["a", "b"]
    with pytest.raises(ValidationError, match="Expected a list of strings"):
        field.clean("[1, 2]")
    with pytest.raises(ValidationError, match="At most 2 lines; this has 3"):
        field.clean("a\nb\nc")
    assert not field.has_changed(["a", "b"], "a\r\nb\r\n")
