"""The preview's event stream: the page's state at once, then again as soon as it changes (a render requested or
built, a live change), pushed by the server; under the production profile a socket per viewer, capped."""

import contextlib
import json
import tempfile
import time

import httpx
import pytest

from bench.harness import serve
from stage.renders.services import render_trigger
from stage.services.live import kv_set
from tests.support.factories import SessionFactory
from tests.support.worker import worker_environment

APP = "export default () => <h1>hello</h1>;"


def events(lines):
    """Each `event: state` of a stream as a dict, as it arrives."""
    for line in lines:
        if line.startswith("data: "):
            yield json.loads(line[len("data: ") :])


@pytest.fixture
def web(transactional_db, tmp_path):
    with contextlib.ExitStack() as stack:
        runtime = stack.enter_context(tempfile.TemporaryDirectory(prefix="sb-", dir="/tmp"))
        env = {
            **worker_environment(),
            "STAGE_BACKEND_RUNTIME_DIR": runtime,
            "STAGE_PREVIEW_MAX_STREAMS_PER_SESSION": "2",
        }
        yield stack.enter_context(serve(workers=1, extra_env=env, log=tmp_path / "web.log"))


@pytest.mark.postgres
@pytest.mark.redis
def test_under_the_asgi_server_a_new_render_and_a_live_change_are_pushed_at_once(web):
    from stage.services.files import files_push

    warm, session = SessionFactory(), SessionFactory()
    files_push(session=warm, files=[("/app/App.tsx", APP + "// warm")])
    render_trigger(session=warm)  # Node, esbuild and the shared libraries up before the figure is taken
    files_push(session=session, files=[("/app/App.tsx", APP)])
    with httpx.stream("GET", f"{web}/s/{session.public_id}/events", timeout=10) as stream:
        assert stream.headers["content-type"] == "text/event-stream"
        arriving = events(stream.iter_lines())
        first = next(arriving)
        assert (first["render"], first["readyVersion"], first["liveRevision"]) == (None, None, 0)

        started = time.monotonic()
        render_trigger(session=session)  # built in this process, announced on commit
        states = []
        while not states or states[-1]["readyVersion"] != 1:
            states.append(next(arriving))
        took = time.monotonic() - started
        kv_set(session=session, key="k", value=1)
        live = next(arriving)

    assert took < 2.0, took
    assert states[-1]["render"]["status"] == "ready" and states[-1]["render"]["version"] == 1
    assert live["liveRevision"] == 1


@pytest.mark.postgres
@pytest.mark.redis
def test_streams_are_capped_per_session_and_unknown_sessions_are_not_found(web):
    session = SessionFactory()
    url = f"{web}/s/{session.public_id}/events"
    with httpx.stream("GET", url, timeout=10) as one, httpx.stream("GET", url, timeout=10) as two:
        held = [events(one.iter_lines()), events(two.iter_lines())]  # kept: a dropped reader closes its stream
        assert [next(reader)["render"] for reader in held] == [None, None]
        third = httpx.get(url, timeout=10)
        assert third.status_code == 429 and third.headers["retry-after"] == "5"
        assert third.json()["error"]["code"] == "RATE_LIMITED"
    missing = httpx.get(f"{web}/s/s_nosuchsession00000/events", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_under_the_development_server_the_stream_gives_the_state_too(client):
    session = SessionFactory()

    assert client.get("/s/s_nosuchsession00000/events").status_code == 404

    response = client.get(f"/s/{session.public_id}/events")

    assert response["Content-Type"] == "text/event-stream" and response["Cache-Control"] == "no-store"
    first = next(iter(response.streaming_content)).decode()
    assert first.startswith("event: state\ndata: ")
    assert json.loads(first.split("data: ", 1)[1])["render"] is None
