"""The workflows file is validated at deploy and at run time; every error names its JSON path."""

import json

import pytest

from stage.models import AppVersion
from tests.support.rest import api_publish, push
from tests.support.workflows import error_of, run
from workflows.models import Run

pytestmark = pytest.mark.django_db

STEPS = "$.workflows.w.steps[0]"


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"version": 2, "workflows": {}}, "$.version"),
        ({"version": 1}, "$.workflows"),
        ({"version": 1, "workflows": {"w": {"steps": []}}}, "$.workflows.w.steps"),
        (
            {"version": 1, "workflows": {"w": {"steps": [{"sheets.deleteEverything": {}}]}}},
            f'{STEPS}["sheets.deleteEverything"]',
        ),
        ({"version": 1, "workflows": {"w": {"steps": [{"pulse.track": {}}]}}}, f'{STEPS}["pulse.track"].event'),
        (
            {"version": 1, "workflows": {"w": {"steps": [{"pulse.track": {"event": "e", "colour": "red"}}]}}},
            f'{STEPS}["pulse.track"].colour',
        ),
        (
            {"version": 1, "workflows": {"w": {"steps": [{"response": {"body": "{{ input.x "}}]}}},
            f"{STEPS}.response.body",
        ),
        (
            {"version": 1, "workflows": {"w": {"steps": [{"response": {"body": "{{ secrets.x }}"}}]}}},
            f"{STEPS}.response.body",
        ),
        (
            {"version": 1, "workflows": {"w": {"steps": [{"response": {"body": 1}, "pulse.track": {"event": "e"}}]}}},
            STEPS,
        ),
        (
            {
                "version": 1,
                "workflows": {
                    "w": {"steps": [{"id": "a", "response": {"body": 1}}, {"id": "a", "response": {"body": 2}}]}
                },
            },
            "$.workflows.w.steps[1].id",
        ),
    ],
    ids=[
        "version",
        "no-workflows",
        "no-steps",
        "unknown-block",
        "missing-field",
        "unknown-field",
        "malformed-template",
        "unknown-variable",
        "two-blocks",
        "duplicate-id",
    ],
)
def test_a_bad_workflows_file_fails_the_deploy_naming_the_json_path(api, document, path):
    # given
    app = api_publish(api)
    push(api, app["sessionId"], {"/app/shift.workflows.json": json.dumps(document)})
    # when
    response = api.post(f"/api/v1/stage/apps/{app['sid']}/deploy", {}, format="json")
    # then
    status, code, message = error_of(response)
    assert (status, code) == (400, "VALIDATION_ERROR")
    assert path in message and "/app/shift.workflows.json" in message
    assert response.json()["error"]["details"]["path"] == path
    assert AppVersion.objects.filter(app__sid=app["sid"]).count() == 1


def test_a_version_stored_before_validation_is_checked_again_at_run_time(api):
    # given a version whose stored workflows were never validated (an older deploy)
    app = api_publish(
        api,
        files={
            "/app/shift.workflows.json": json.dumps(
                {"version": 1, "workflows": {"w": {"steps": [{"response": {"body": 1}}]}}}
            )
        },
    )
    AppVersion.objects.filter(app__sid=app["sid"]).update(
        workflows={"version": 1, "workflows": {"w": {"steps": [{"shell.exec": {"cmd": "rm -rf /"}}]}}}
    )
    # when
    status, code, message = error_of(run(api, app["sid"], "w", {}))
    # then
    assert (status, code) == (400, "VALIDATION_ERROR") and "shell.exec" in message
    assert Run.objects.count() == 0


def test_an_app_without_a_workflows_file_has_no_workflows(api):
    app = api_publish(api)
    status, code, message = error_of(run(api, app["sid"], "w", {}))
    assert (status, code) == (404, "NOT_FOUND") and "shift.workflows.json" in message
