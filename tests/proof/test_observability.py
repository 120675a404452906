"""Production profile: request ids in responses, logs and tasks; JSON log lines; Prometheus metrics."""

import json
import logging
import secrets
import subprocess
import sys

import pytest
from celery import shared_task

from core.observability import JsonFormatter, RequestIdFilter, current_request_id
from tests.support.rest import new_session

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(api, anon_api):
    generated = api.get("/api/v1/stage/sessions")["X-Request-ID"]
    assert len(generated) == 32
    assert api.get("/api/v1/stage/sessions", HTTP_X_REQUEST_ID="trace-42")["X-Request-ID"] == "trace-42"
    # a hostile id (header injection, log forging) is replaced, not echoed
    hostile = anon_api.get("/api/health", HTTP_X_REQUEST_ID='x"}\n{"level":"CRITICAL')["X-Request-ID"]
    assert hostile != 'x"}\n{"level":"CRITICAL' and hostile.isalnum()


def test_log_lines_are_json_with_the_request_id(api, caplog):
    formatter, request_filter = JsonFormatter(), RequestIdFilter()
    caplog.set_level(logging.WARNING)
    api.get("/api/v1/stage/sessions/knotthere000000000000000/status", HTTP_X_REQUEST_ID="req-404")
    records = [r for r in caplog.records if "Not Found" in r.getMessage()]
    assert records
    # the id was bound while the request ran: the filter stamps it on records made then
    line = json.loads(formatter.format(records[0]))
    assert set(line) >= {"time", "level", "logger", "message", "requestId"}
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    request_filter.filter(record)
    assert json.loads(formatter.format(record))["message"] == "boom now"


@shared_task(name="tests.proof.seen_request_id")
def seen_request_id():
    return current_request_id()


def test_an_in_process_task_runs_under_the_request_id_of_its_request(rf):
    from django.http import JsonResponse

    from core.observability import ObservabilityMiddleware

    view = ObservabilityMiddleware(lambda request: JsonResponse({"seen": seen_request_id.delay().get()}))
    response = view(rf.get("/x", HTTP_X_REQUEST_ID="req-task-1"))
    assert json.loads(response.content) == {"seen": "req-task-1"}


def test_metrics_count_requests_by_route_not_by_id(api, anon_api):
    session_id = new_session(api)
    api.get(f"/api/v1/stage/sessions/{session_id}/status")
    body = anon_api.get("/metrics").content.decode()
    assert (
        'stage_http_requests_total{method="GET",route="api/v1/stage/sessions/<id:session_id>/status",status="200"}'
        in body
    )
    assert "stage_http_request_duration_seconds_bucket" in body
    assert "stage_celery_tasks_total" in body or "stage_sandbox_kills_total" in body
    assert session_id not in body


def test_check_deploy_has_no_security_warnings_with_production_settings():
    env = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(60), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], capture_output=True, text=True, env=env, check=False
    )
    assert "security." not in result.stdout + result.stderr, result.stdout + result.stderr
