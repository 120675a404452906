"""The run endpoint: templating, outputs, the response step, run records, idempotency, dry runs, ownership."""

import json
import time

import pytest

from stage.models import App
from tests.support.workflows import error_of, publish_workflows, run
from workflows.definition import WORKFLOWS_PATH as WORKFLOWS
from workflows.models import BillingItem, LedgerEvent, PulseEvent, Run, StepRun

pytestmark = pytest.mark.django_db

ECHO = {
    "echo": {
        "steps": [
            {
                "response": {
                    "status": 201,
                    "headers": {"X-Echo": "{{ input.name }}"},
                    "body": {
                        "amount": "{{ input.amountCents }}",
                        "greeting": "Hello {{ input.name }} from {{ app.sid }}",
                        "caller": "{{ auth.email }}",
                        "plan": "{{ config.plan }}",
                        "tags": "{{ input.tags }}",
                    },
                }
            }
        ]
    }
}


def test_response_step_answers_with_its_templated_status_headers_and_typed_body(api, user):
    # given
    app = publish_workflows(api, ECHO, config={"plan": "pro"})
    # when
    response = run(api, app["sid"], "echo", {"name": "Ada", "amountCents": 1250, "tags": ["a", "b"]})
    # then
    assert response.status_code == 201
    assert response["X-Echo"] == "Ada"
    assert response.json() == {
        "success": True,
        "data": {
            "amount": 1250,
            "greeting": f"Hello Ada from {app['sid']}",
            "caller": user.email,
            "plan": "pro",
            "tags": ["a", "b"],
        },
    }
    run_record = Run.objects.get(public_id=response["X-Stage-Run-Id"])
    assert run_record.status == "succeeded" and run_record.input["name"] == "Ada"
    assert run_record.version.sid == app["channels"]["production"]["appVersionSid"]


def test_without_a_response_step_the_answer_is_run_id_status_and_outputs(api, user):
    app = publish_workflows(
        api,
        {
            "track": {
                "steps": [
                    {"id": "bill", "billing.createItem": {"customerEmail": "{{ auth.email }}", "amountCents": 500}},
                    {"pulse.track": {"event": "billed", "properties": {"item": "{{ steps.bill.id }}"}}},
                ]
            }
        },
    )
    response = run(api, app["sid"], "track", {})
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["runId"].startswith("run_") and data["status"] == "succeeded"
    item = BillingItem.objects.get()
    assert data["outputs"]["bill"]["id"] == item.public_id and item.amount_cents == 500
    assert item.customer_email == user.email
    assert PulseEvent.objects.get().properties == {"item": item.public_id}


def test_a_missing_value_is_a_template_error_naming_the_expression_and_nothing_runs_after(api):
    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {"pulse.track": {"event": "before"}},
                    {"id": "b", "billing.createItem": {"customerEmail": "a@b.co", "amountCents": "{{ input.nope }}"}},
                    {"pulse.track": {"event": "after"}},
                ]
            }
        },
    )
    response = run(api, app["sid"], "w", {"other": 1})
    status, code, message = error_of(response)
    assert (status, code) == (400, "TEMPLATE_ERROR")
    assert "input.nope" in message and "steps[1]" in message
    # the step named once, and the reason in the workflow's own words
    said = 'amountCents: {{ input.nope }} could not be filled in: "input" has no field "nope"'
    assert message == f"steps[1] (b) billing.createItem failed: {said}"
    assert message.count("steps[") == 1
    assert response.json()["error"]["details"]["step"] == {"index": 1, "id": "b", "block": "billing.createItem"}
    assert list(PulseEvent.objects.values_list("event", flat=True)) == ["before"]
    assert BillingItem.objects.count() == 0
    run_record = Run.objects.get()
    assert run_record.status == "failed" and run_record.error["code"] == "TEMPLATE_ERROR"
    assert [(s.index, s.status) for s in StepRun.objects.order_by("index")] == [(0, "succeeded"), (1, "failed")]


@pytest.mark.parametrize(
    ("template", "given"),
    [
        ("{{ ''.__class__.__mro__ }}", {}),
        ("{{ input.__class__ }}", {}),
        ("{{ input.s * input.n }}", {"s": "x", "n": 100_000_000}),
        ("{{ input.n ** 99999999 }}", {"n": 9}),
        ("{{ ('%0' ~ input.w ~ 'd') % 0 }}", {"w": 100_000_000}),
        ("{{ '{:>{w}}'.format('x', w=input.w) }}", {"w": 50_000_000}),
        ("{{ input.s | center(input.w) }}", {"s": "x", "w": 100_000_000}),
        ("{{ input.l | join(input.s) | length }}", {"l": ["a"] * 1000, "s": "x" * 10_000}),
        ("{% for a in input.l %}{% for b in input.l %}{% endfor %}{% endfor %}", {"l": list(range(5000))}),
        ("{% for a in input.l %}{{ input.l | sort | first }}{% endfor %}", {"l": list(range(5000))}),
        ("{{ input.s.ljust(input.w) }}", {"s": "x", "w": 100_000_000}),
        ("{{ input.l.append(1) }}", {"l": []}),
    ],
    ids=[
        "mro", "dunder", "huge-string", "huge-power", "printf-width", "format-width", "center", "join",
        "nested-loops", "sort-in-a-loop", "unbounded-str-method", "mutate-a-list",
    ],
)  # fmt: skip
def test_hostile_templates_fail_at_run_time_within_the_caps(api, template, given):
    # given templates whose bombs depend on the input, so the deploy cannot see them
    app = publish_workflows(api, {"w": {"steps": [{"response": {"body": template}}]}})
    # when
    started = time.monotonic()
    status, code, message = error_of(run(api, app["sid"], "w", given))
    # then each is refused before it allocates or spins: quickly, and as a template error
    assert (status, code) == (400, "TEMPLATE_ERROR"), message
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ("{{ ('%0100000000d' % 0) | length }}", "TEMPLATE_ERROR"),
        ("{{ '{:>50000000}'.format('x') | length }}", "TEMPLATE_ERROR"),
        ("{{ 'x' * 100000000 }}", "TEMPLATE_ERROR"),
        ("{{ 9 ** 99999999 }}", "TEMPLATE_ERROR"),
        ("{% for i in range(100000000) %}{% endfor %}", "VALIDATION_ERROR"),
        ("{{ lipsum(100000) }}", "VALIDATION_ERROR"),
        ("{% set c = cycler(1, 2) %}{{ c.next() }}", "VALIDATION_ERROR"),
        ("{{ joiner() }}{{ namespace(a=1) }}", "VALIDATION_ERROR"),
    ],
    ids=["printf-width", "format-width", "huge-string", "huge-power", "range", "lipsum", "cycler", "joiner"],
)
def test_templates_over_the_caps_without_input_are_refused_at_deploy(api, template, code):
    # given a workflow whose template is a bomb on its own
    document = {"version": 1, "workflows": {"w": {"steps": [{"response": {"body": template}}]}}}
    session = api.post("/api/v1/stage/sessions", {}, format="json").json()["data"]["id"]
    api.post(f"/api/v1/stage/sessions/{session}/push", {"files": {WORKFLOWS: json.dumps(document)}}, format="json")
    # when it is published, then it is refused there, with nothing created
    response = api.post("/api/v1/stage/apps", {"sessionId": session, "name": "bomb"}, format="json")
    assert error_of(response)[:2] == (400, code)
    assert not App.objects.filter(session__public_id=session).exists()


def test_templates_within_the_caps_still_do_their_work(api):
    body = {
        "printf": "{{ '%05.1f|%-3s' % (3.14159, 'ab') }} {{ '%(n)03d' % input if true else 1 / 0 }}",
        "format": "{{ '{0}-{1:>4}'.format(input.n, 'x') }}",
        "loop": "{% for item in input.l %}{{ item }}{% if not loop.last %},{% endif %}{% endfor %}",
        "filters": "{{ input.l | join('+') }} {{ 'a b' | replace(' ', '_') | upper | center(7) }}",
        "concat": "{{ input.s ~ '!' }}",
    }
    app = publish_workflows(api, {"w": {"steps": [{"response": {"body": body}}]}})
    data = run(api, app["sid"], "w", {"n": 7, "l": [1, 2, 3], "s": "hi"}).json()["data"]
    assert data == {
        "printf": "003.1|ab  007",
        "format": "7-   x",
        "loop": "1,2,3",
        "filters": "1+2+3   A_B  ",
        "concat": "hi!",
    }


def test_a_value_from_input_is_data_never_a_template(api):
    app = publish_workflows(api, {"w": {"steps": [{"response": {"body": "{{ input.x }}"}}]}})
    response = run(api, app["sid"], "w", {"x": "{{ config }} {% raw %}"})
    assert response.json()["data"] == "{{ config }} {% raw %}"


def test_bad_data_in_a_rendered_field_is_400_naming_the_field(api):
    app = publish_workflows(
        api, {"w": {"steps": [{"billing.createItem": {"customerEmail": "{{ input.e }}", "amountCents": -1}}]}}
    )
    status, code, message = error_of(run(api, app["sid"], "w", {"e": "not-an-email"}))
    assert (status, code) == (400, "VALIDATION_ERROR") and "customerEmail" in message


def test_same_idempotency_key_returns_the_same_run_and_never_repeats_side_effects(api):
    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {"id": "b", "billing.createItem": {"customerEmail": "a@b.co", "amountCents": 100}},
                    {"ledger.audit": {"operation": "write", "resource": "invoice"}},
                    {"response": {"body": {"item": "{{ steps.b.id }}"}}},
                ]
            }
        },
    )
    first = run(api, app["sid"], "w", {}, HTTP_IDEMPOTENCY_KEY="order-42")
    second = run(api, app["sid"], "w", {}, HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first["X-Stage-Run-Id"] == second["X-Stage-Run-Id"]
    assert Run.objects.count() == 1 and BillingItem.objects.count() == 1 and LedgerEvent.objects.count() == 1
    third = run(api, app["sid"], "w", {}, HTTP_IDEMPOTENCY_KEY="order-43")
    assert third.json()["data"]["item"] != first.json()["data"]["item"]


def test_a_failed_run_repeats_its_error_for_the_same_key(api):
    app = publish_workflows(api, {"w": {"steps": [{"response": {"body": "{{ input.missing }}"}}]}})
    first = run(api, app["sid"], "w", {}, HTTP_IDEMPOTENCY_KEY="k1")
    second = run(api, app["sid"], "w", {"missing": 1}, HTTP_IDEMPOTENCY_KEY="k1")
    assert error_of(first) == error_of(second) and first.status_code == 400
    assert Run.objects.count() == 1


def test_dry_run_renders_every_step_without_side_effects(api):
    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {"id": "b", "billing.createItem": {"customerEmail": "a@b.co", "amountCents": "{{ input.n }}"}},
                    {"pulse.track": {"event": "e"}},
                    {"ledger.audit": {"operation": "read"}},
                    {"response": {"body": {"amount": "{{ steps.b.amountCents }}"}}},
                ]
            }
        },
    )
    response = run(api, app["sid"], "w", {"n": 7}, query="?dryRun=1")
    assert response.status_code == 200 and response.json()["data"] == {"amount": 7}
    assert BillingItem.objects.count() == PulseEvent.objects.count() == LedgerEvent.objects.count() == 0
    assert Run.objects.get().dry_run is True
    failing = run(api, app["sid"], "w", {}, query="?dryRun=1")
    assert error_of(failing)[1] == "TEMPLATE_ERROR"


def test_run_is_owner_scoped_needs_a_key_and_names_unknown_workflows(api, other_api, anon_api):
    app = publish_workflows(api, ECHO, config={"plan": "pro"})
    assert error_of(run(other_api, app["sid"], "echo", {}))[:2] == (404, "NOT_FOUND")
    assert error_of(run(anon_api, app["sid"], "echo", {}))[:2] == (401, "UNAUTHORIZED")
    assert error_of(run(api, app["sid"], "nope", {}))[:2] == (404, "NOT_FOUND")
    assert error_of(run(api, "app_missing", "echo", {}))[:2] == (404, "NOT_FOUND")
    assert Run.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [{"input": [1]}, {"input": "x"}, {"inputs": {}}, [1]],
    ids=["list-input", "string-input", "unknown-key", "not-an-object"],
)
def test_malformed_bodies_are_400(api, body):
    app = publish_workflows(api, ECHO)
    response = api.post(f"/api/v1/run/{app['sid']}/echo", body, format="json")
    assert error_of(response)[:2] == (400, "VALIDATION_ERROR")
    assert Run.objects.count() == 0


def test_a_bad_idempotency_key_or_flag_is_400(api):
    app = publish_workflows(api, ECHO)
    assert error_of(run(api, app["sid"], "echo", {}, HTTP_IDEMPOTENCY_KEY="a b"))[:2] == (400, "VALIDATION_ERROR")
    assert error_of(run(api, app["sid"], "echo", {}, query="?dryRun=maybe"))[:2] == (400, "VALIDATION_ERROR")


def test_runs_are_listed_per_app_and_shown_with_steps_and_redacted_secrets(api, other_api, anon_api):
    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {"pulse.track": {"event": "e", "properties": {"apiToken": "{{ input.t }}", "ok": 1}}},
                    {"response": {"body": "done"}},
                ]
            }
        },
    )
    run_id = run(api, app["sid"], "w", {"t": "s3cret"})["X-Stage-Run-Id"]
    listed = api.get(f"/api/v1/stage/apps/{app['sid']}/runs").json()["data"]
    assert [item["runId"] for item in listed["results"]] == [run_id]
    detail = api.get(f"/api/v1/stage/runs/{run_id}").json()["data"]
    assert detail["status"] == "succeeded" and detail["workflow"] == "w" and detail["durationMs"] >= 0
    assert detail["steps"][0]["config"]["properties"] == {"apiToken": "[redacted]", "ok": 1}
    assert detail["steps"][1]["output"]["body"] == "done"
    assert "s3cret" not in str(detail["steps"])
    assert error_of(other_api.get(f"/api/v1/stage/runs/{run_id}"))[:2] == (404, "NOT_FOUND")
    assert error_of(other_api.get(f"/api/v1/stage/apps/{app['sid']}/runs"))[:2] == (404, "NOT_FOUND")
    assert error_of(anon_api.get(f"/api/v1/stage/runs/{run_id}"))[:2] == (401, "UNAUTHORIZED")


def test_the_run_task_executed_twice_or_after_a_crash_repeats_no_side_effect(api):
    # given an async run whose first execution died after billing (its worker was killed)
    from workflows.services.records import billing_item_create
    from workflows.tasks import run_workflow

    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {"id": "b", "billing.createItem": {"customerEmail": "a@b.co", "amountCents": 100}},
                    {"ledger.audit": {"operation": "write"}},
                ]
            }
        },
    )
    response = run(api, app["sid"], "w", {}, query="?async=1")  # on_commit not run here: the run stays queued
    run_record = Run.objects.get(public_id=response.json()["data"]["runId"])
    Run.objects.filter(pk=run_record.pk).update(status="running")
    billing_item_create(
        app=run_record.app, run=run_record, step_index=0, customer_email="a@b.co", amount_cents=100,
        currency="usd", description="", metadata={},
    )  # fmt: skip
    # when the task is delivered again, twice
    run_workflow(run_record.pk)
    run_workflow(run_record.pk)
    # then
    run_record.refresh_from_db()
    assert run_record.status == "succeeded"
    assert BillingItem.objects.count() == 1 and LedgerEvent.objects.count() == 1
    assert StepRun.objects.filter(run=run_record).count() == 2


def test_a_workflow_may_answer_an_error_status_enveloped_as_an_error(api):
    app = publish_workflows(
        api, {"w": {"steps": [{"response": {"status": "{{ input.code }}", "body": {"reason": "{{ input.why }}"}}}]}}
    )
    response = run(api, app["sid"], "w", {"code": 422, "why": "closed"})
    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": {"code": "WORKFLOW_RESPONSE", "message": "The workflow answered 422", "details": {"reason": "closed"}},
    }


@pytest.mark.parametrize(
    "headers",
    [{"X-Evil": "a\r\nSet-Cookie: s=1"}, {"Set-Cookie": "s=1"}, {"Bad Name": "x"}, {"Content-Type": "text/html"}],
    ids=["crlf-injection", "set-cookie", "bad-name", "content-type"],
)
def test_response_headers_are_refused_when_unsafe(api, headers):
    app = publish_workflows(api, {"w": {"steps": [{"response": {"headers": "{{ input.h }}", "body": 1}}]}})
    status, code, _ = error_of(run(api, app["sid"], "w", {"h": headers}))
    assert (status, code) == (400, "VALIDATION_ERROR")


def test_an_idempotency_key_reused_for_another_workflow_is_a_conflict(api):
    app = publish_workflows(
        api, {"a": {"steps": [{"response": {"body": "a"}}]}, "b": {"steps": [{"response": {"body": "b"}}]}}
    )
    assert run(api, app["sid"], "a", {}, HTTP_IDEMPOTENCY_KEY="same").status_code == 200
    assert error_of(run(api, app["sid"], "b", {}, HTTP_IDEMPOTENCY_KEY="same"))[:2] == (409, "CONFLICT")


def test_in_embedded_mode_an_unreachable_smtp_server_fails_the_delivery_not_the_run(
    api, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    settings.STAGE_DELIVERY_MAX_RETRIES = 2
    channel = api.post(
        "/api/v1/communication/channels", {"name": "m", "kind": "email", "config": {}}, format="json"
    ).json()["data"]
    app = publish_workflows(
        api, {"w": {"steps": [{"communication.send": {"channelId": channel["id"], "to": "a@b.co", "text": "x"}}]}}
    )
    api.post("/api/v1/communication/registrations", {"appSid": app["sid"], "channelId": channel["id"]}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = run(api, app["sid"], "w", {})
    assert response.status_code == 200, response.json()
    from workflows.models import Delivery

    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 3


def test_a_run_stays_pinned_to_its_version_when_production_moves_before_it_executes(api):
    # given an async run queued on version 1
    import json as _json

    from tests.support.rest import api_deploy, push
    from workflows.tasks import run_workflow

    app = publish_workflows(api, {"w": {"steps": [{"response": {"body": "v1"}}]}})
    queued = run(api, app["sid"], "w", {}, query="?async=1").json()["data"]["runId"]
    # when production moves to a version whose workflow answers differently
    document = {"version": 1, "workflows": {"w": {"steps": [{"response": {"body": "v2"}}]}}}
    push(api, app["sessionId"], {"/app/shift.workflows.json": _json.dumps(document)})
    api_deploy(api, app["sid"], promote=True)
    run_workflow(Run.objects.get(public_id=queued).pk)
    # then the queued run ran version 1, and a new run runs version 2
    assert Run.objects.get(public_id=queued).response["body"] == "v1"
    assert run(api, app["sid"], "w", {}).json()["data"] == "v2"
