"""client.stage.run and `stage run` against a live server's workflow endpoint."""

import json
import re

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


def test_stage_run_says_the_run_its_status_and_for_a_dry_run_the_rendered_steps(
    app_sid, stage_url, alice_key, tmp_path
):
    env = {"STAGE_URL": stage_url, "STAGE_API_KEY": alice_key, "STAGE_CONFIG": str(tmp_path / "c.json")}
    runner = CliRunner()

    real = runner.invoke(cli, ["run", app_sid, "summary"], env=env)
    dry = runner.invoke(cli, ["run", app_sid, "charge", "--input", '{"name": "Dry"}', "--dry-run"], env=env)

    assert real.exit_code == 0 and re.search(r"^✓ Run run_\w+ succeeded$", real.stdout, re.M), real.stdout
    assert "0 pulse.track" in real.stdout
    assert dry.exit_code == 0 and "(dry run: every step rendered and checked, nothing sent or written)" in dry.stdout
    assert '"customerEmail": "alice@' in dry.stdout and '"amountCents": 1250' in dry.stdout
    assert BillingItem.objects.count() == 0


def test_stage_runs_lists_an_apps_runs_and_shows_one_with_its_steps(client, app_sid, stage_url, alice_key, tmp_path):
    env = {"STAGE_URL": stage_url, "STAGE_API_KEY": alice_key, "STAGE_CONFIG": str(tmp_path / "c.json")}
    runner = CliRunner()
    run_id = client.stage.run(app_sid, "charge", {"name": "Ada"}).run_id

    listed = runner.invoke(cli, ["runs", "list", app_sid], env=env)
    quiet = runner.invoke(cli, ["runs", "list", app_sid, "-q"], env=env)
    shown = runner.invoke(cli, ["runs", "show", run_id], env=env)
    as_json = json.loads(runner.invoke(cli, ["runs", "show", run_id, "--json"], env=env).stdout)

    assert listed.exit_code == 0 and f"{run_id} charge succeeded" in listed.stdout and "just now" in listed.stdout
    assert quiet.stdout == f"{run_id}\n"
    assert shown.exit_code == 0 and "0 bill billing.createItem succeeded" in shown.stdout
    assert [step["block"] for step in as_json["steps"]] == ["billing.createItem", "response"]
    assert runner.invoke(cli, ["runs", "show", "run_nope"], env=env).exit_code == 3
