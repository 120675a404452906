"""Each response shape has one definition, its output serializer: rows a selector builds in SQL for speed hold to
it, and the schema documents exactly what the answers carry."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from stage.models import Session
from stage.presenters import FileSummaryOutput, StatusOutput, VersionOutput, session_status, versions_detail
from stage.presenters.published_apps import ManifestFileOutput
from stage.selectors import published_apps as app_selectors
from stage.selectors import sessions as session_selectors
from tests.support.rest import APP_FILES, api_deploy, api_publish, data

pytestmark = pytest.mark.django_db


def test_selector_built_rows_have_exactly_the_fields_their_output_declares(api):
    app = api_publish(api)
    api_deploy(api, app["sid"])
    session = Session.objects.get(public_id=app["sessionId"])
    version = app_selectors.version_list(app=session.apps.get()).first()

    files = set(FileSummaryOutput().fields)
    assert {frozenset(row) for row in session_selectors.current_files(session=session)} == {
        frozenset(files - {"content"})
    }
    assert {frozenset(row) for row in session_selectors.current_files(session=session, with_content=True)} == {
        frozenset(files)
    }
    manifest = set(ManifestFileOutput().fields)
    assert all(set(row) == manifest for row in app_selectors.version_manifest(version=version))
    listed = versions_detail(app_selectors.version_list(app=session.apps.get()))
    assert all(set(row) == manifest for listing in listed for row in listing["files"])


def test_answers_carry_the_fields_their_output_declares_and_no_others(api):
    app = api_publish(api)
    session = Session.objects.get(public_id=app["sessionId"])

    assert set(session_status(session)) == set(StatusOutput().fields)
    versions = data(api.get(f"/api/v1/stage/apps/{app['sid']}/versions"))
    assert set(versions[0]) == set(VersionOutput().fields)
    assert {row["path"] for row in versions[0]["files"]} == set(APP_FILES)


def test_selector_built_rows_are_documented_by_their_output_serializer():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    assert components["StatusOutput"]["properties"]["files"]["items"] == {
        "$ref": "#/components/schemas/FileWrittenOutput"  # the spec's {path, version, size}
    }
    assert components["VersionOutput"]["properties"]["files"]["items"] == {
        "$ref": "#/components/schemas/ManifestFileOutput"
    }
    assert set(components["VersionOutput"]["properties"]) == set(VersionOutput().fields)
