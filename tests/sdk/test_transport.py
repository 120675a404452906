"""Retries, timeouts and answers that are not Stage's envelope, against a real scripted HTTP server."""

import asyncio
import socket

import pytest
from stage_sdk import StageError, create_async_client, create_client

from tests.sdk.scripted_server import JSON, ScriptedServer, error, ok

BUSY = error(503, "UNAVAILABLE", "try later")
SLOW_DOWN = error(429, "RATE_LIMITED", "slow down", {"Retry-After": "0"})


def fast_client(url, **kwargs):
    return create_client(gateway_url=url, api_key="k", backoff=0.01, **kwargs)


def failure(answers, call=lambda client: client.stage.sessions.create(), **kwargs) -> tuple[StageError, list]:
    """The StageError a call raises against a server answering ``answers``, and the requests it received."""
    with (
        ScriptedServer(answers) as server,
        fast_client(server.url, **kwargs) as client,
        pytest.raises(StageError) as raised,
    ):
        call(client)
    return raised.value, server.requests


def test_429_and_503_are_retried_with_the_same_request_until_an_answer():
    with ScriptedServer([BUSY, SLOW_DOWN, ok({"id": "s1"})]) as server, fast_client(server.url) as client:
        session = client.stage.sessions.create(name="x")

    assert session.id == "s1"
    assert len(server.requests) == 3
    assert all(r["body"] == {"name": "x"} and r["path"] == "/api/v1/stage/sessions" for r in server.requests)
    assert server.requests[0]["headers"]["Authorization"] == "Bearer k"


@pytest.mark.parametrize(
    "answer",
    [error(500, "INTERNAL", "boom"), error(502, "UPSTREAM_UNAVAILABLE", "bad gateway"), error(409, "CONFLICT", "no")],
    ids=["500", "502", "409"],
)
def test_other_errors_are_not_retried(answer):
    raised, requests = failure([answer, ok({"id": "never"})])

    assert len(requests) == 1
    assert raised.status == answer[0]
    assert raised.code == answer[2]["error"]["code"]


def test_retries_stop_after_max_retries_with_the_last_error():
    raised, requests = failure([SLOW_DOWN] * 5, max_retries=2)

    assert len(requests) == 3
    assert (raised.code, raised.status, raised.message) == ("RATE_LIMITED", 429, "slow down")


def test_an_html_proxy_page_becomes_a_clear_error():
    page = (502, {"Content-Type": "text/html"}, "<html><body>Bad Gateway</body></html>", 0)
    raised, _ = failure([page], call=lambda client: client.stage.sessions.status("abc"))

    assert raised.status == 502
    assert raised.code == "UPSTREAM_UNAVAILABLE"
    assert "Bad Gateway" in raised.message


def test_a_200_that_is_not_an_envelope_is_a_bad_response():
    raised, _ = failure([(200, JSON, [1, 2], 0)])
    assert (raised.code, raised.status) == ("BAD_RESPONSE", 200)


def test_the_timeout_is_configurable_and_reported():
    raised, _ = failure([ok({"id": "late"}, delay=1.0)], timeout=0.2)
    assert (raised.code, raised.status) == ("TIMEOUT", None)


def test_an_unreachable_server_is_a_connection_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        with fast_client(f"http://127.0.0.1:{port}") as client, pytest.raises(StageError) as raised:
            client.stage.sessions.create()
    assert raised.value.code == "CONNECTION_ERROR"
    assert raised.value.status is None


def test_a_url_without_a_scheme_is_refused_before_any_request():
    with pytest.raises(StageError) as raised:
        create_client(gateway_url="stage.example.com", api_key="k")
    assert raised.value.code == "CONFIGURATION_ERROR"


def test_run_retries_reuse_one_idempotency_key_and_return_the_workflows_own_payload():
    # given a gateway that is busy once, then answers with a response step's payload (not an envelope)
    answers = [BUSY, (201, JSON, {"received": True}, 0)]
    with ScriptedServer(answers) as server, fast_client(server.url) as client:
        result = client.stage.run("app_1", "appendRow", {"amountCents": 1250})

    # then the retry carried the same generated key, and the payload and status come back as sent
    keys = [r["headers"]["Idempotency-Key"] for r in server.requests]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert keys[0].startswith("sdk-")
    assert server.requests[0]["path"] == "/api/v1/run/app_1/appendRow"
    assert server.requests[0]["body"] == {"input": {"amountCents": 1250}}
    assert (result.status_code, result.data) == (201, {"received": True})


def test_run_sends_the_callers_idempotency_key_and_raises_on_stage_errors():
    answers = [ok({"runId": "run_1", "status": "succeeded", "outputs": {}}), error(400, "TEMPLATE_ERROR", "bad")]
    with ScriptedServer(answers) as server, fast_client(server.url) as client:
        result = client.stage.run("app_1", "wf", {}, idempotency_key="order-42")
        with pytest.raises(StageError) as raised:
            client.stage.run("app_1", "wf", {})

    assert server.requests[0]["headers"]["Idempotency-Key"] == "order-42"
    assert result.run_id == "run_1"
    assert (raised.value.code, raised.value.status) == ("TEMPLATE_ERROR", 400)


def test_the_async_client_retries_too():
    async def scenario(url):
        async with create_async_client(gateway_url=url, api_key="k", backoff=0.01) as client:
            return await client.stage.sessions.render("s1", "/app/Main.tsx")

    with ScriptedServer([BUSY, ok({"entry": "/app/Main.tsx", "version": 4})]) as server:
        rendered = asyncio.run(scenario(server.url))

    assert (rendered.entry, rendered.version) == ("/app/Main.tsx", 4)
    assert len(server.requests) == 2


def test_retry_after_as_an_http_date_is_honoured():
    past = "Wed, 21 Oct 2015 07:28:00 GMT"  # already passed: retry at once
    answers = [error(503, "UNAVAILABLE", "maintenance", {"Retry-After": past}), ok({"id": "s2"})]
    with ScriptedServer(answers) as server, fast_client(server.url) as client:
        assert client.stage.sessions.create().id == "s2"
    assert len(server.requests) == 2
