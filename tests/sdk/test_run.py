"""client.stage.run and `stage run` against a live server's workflow endpoint."""

import json

import pytest
from click.testing import CliRunner
from stage_sdk import StageError
from stage_sdk.cli import cli

from workflows.models import BillingItem

WORKFLOWS = {
    "version": 1,
    "workflows": {
        "charge": {
            "steps": [
                {"id": "bill", "billing.createItem": {"customerEmail": "{{ auth.email }}", "amountCents": 1250}},
                {"response": {"status": 201, "body": {"item": "{{ steps.bill.id }}", "name": "{{ input.name }}"}}},
            ]
        },
        "summary": {"steps": [{"pulse.track": {"event": "seen"}}]},
        "broken": {"steps": [{"response": {"body": "{{ input.missing }}"}}]},
        "refuse": {"steps": [{"response": {"status": 422, "body": {"reason": "{{ input.why }}"}}}]},
    },
}


@pytest.fixture
def app_sid(client):
    session_id = client.stage.sessions.create().id
    client.stage.sessions.push_files(session_id, {"/app/shift.workflows.json": json.dumps(WORKFLOWS)})
    return client.stage.apps.publish(session_id=session_id, name="runner").sid


def test_a_run_answers_with_the_response_steps_payload_and_one_key_is_one_run(client, app_sid):
    first = client.stage.run(app_sid, "charge", {"name": "Ada"}, idempotency_key="order-42")
    again = client.stage.run(app_sid, "charge", {"name": "Ada"}, idempotency_key="order-42")
    other = client.stage.run(app_sid, "charge", {"name": "Bob"})

    assert first.status_code == 201
    assert first.data["name"] == "Ada"
    assert first.run_id.startswith("run_")
    assert (again.data, again.run_id) == (first.data, first.run_id)
    assert other.run_id != first.run_id
    assert BillingItem.objects.count() == 2


def test_without_a_response_step_the_answer_is_the_run_and_dry_runs_have_no_side_effects(client, app_sid):
    summary = client.stage.run(app_sid, "summary")
    dry = client.stage.run(app_sid, "charge", {"name": "Dry"}, dry_run=True)

    assert summary.status_code == 200
    assert summary.run_id == summary.data["runId"]
    assert summary.data["status"] == "succeeded"
    assert dry.status_code < 300
    assert BillingItem.objects.count() == 0


def test_run_errors_and_ownership(client, mallory, anonymous, app_sid):
    with pytest.raises(StageError) as template:
        client.stage.run(app_sid, "broken", {})
    with pytest.raises(StageError) as unknown:
        client.stage.run(app_sid, "nope", {})
    with pytest.raises(StageError) as theirs:
        mallory.stage.run(app_sid, "charge", {"name": "Mallory"})
    with pytest.raises(StageError) as nobody:
        anonymous.stage.run(app_sid, "charge", {})

    assert (template.value.code, template.value.status) == ("TEMPLATE_ERROR", 400)
    assert unknown.value.status in (400, 404)
    assert (theirs.value.code, theirs.value.status) == ("NOT_FOUND", 404)
    assert nobody.value.status == 401
    assert BillingItem.objects.count() == 0


def test_stage_run_prints_the_answer(app_sid, stage_url, alice_key, tmp_path):
    env = {"STAGE_URL": stage_url, "STAGE_API_KEY": alice_key, "STAGE_CONFIG": str(tmp_path / "c.json")}
    runner = CliRunner()

    ok = runner.invoke(cli, ["run", app_sid, "charge", "--input", '{"name": "Ada"}', "--json"], env=env)
    missing = runner.invoke(cli, ["run", "app_nope", "charge", "--input", "{}"], env=env)

    assert ok.exit_code == 0, ok.stderr
    answer = json.loads(ok.stdout)
    assert answer["status"] == 201
    assert answer["data"]["name"] == "Ada"
    assert answer["runId"].startswith("run_")
    assert missing.exit_code == 3


def test_a_response_step_answering_an_error_status_raises_with_its_body(client, app_sid):
    with pytest.raises(StageError) as refused:
        client.stage.run(app_sid, "refuse", {"why": "closed"})

    assert (refused.value.code, refused.value.status) == ("WORKFLOW_RESPONSE", 422)
    assert refused.value.details == {"reason": "closed"}
