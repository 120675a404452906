"""A deploy, promote or rollback made anywhere is served by every web process on its next request: two instances
of the production profile (`make serve`), each with its own runtime directory and its own copy of what each app
serves (kept while the app's generation counter in Redis has not moved), on one database and one Redis."""

import contextlib
import tempfile

import httpx
import pytest
from django.core.cache import cache

from bench.harness import serve
from core.keys import apikey_create
from published_api.compiler import _cache_key
from stage.services.published_apps import channel_promote, channel_rollback
from tests.support.publishing import deploy, publish
from tests.support.worker import worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


class WebProcess:
    def __init__(self, base: str):
        self.base = base

    def get(self, path: str, **headers) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", headers=headers, timeout=15)


@pytest.fixture
def two_web_processes(transactional_db, tmp_path):
    env = worker_environment()
    with contextlib.ExitStack() as stack:
        processes = []
        for index in (0, 1):
            # Unix socket paths are short (108 bytes), so the runtime directories are too.
            runtime = stack.enter_context(tempfile.TemporaryDirectory(prefix="sb-", dir="/tmp"))
            extra = {**env, "STAGE_BACKEND_RUNTIME_DIR": runtime}
            base = stack.enter_context(serve(workers=1, extra_env=extra, log=tmp_path / f"web{index}.log"))
            processes.append(WebProcess(base))
        yield processes


def test_deploy_promote_and_rollback_reach_every_web_process(two_web_processes, user):
    # given an app served by both processes
    first, second = two_web_processes
    app = publish(user, "export default { fetch: () => new Response('v1') };")
    url = f"/stage/{app.sid}/api/"
    assert [first.get(url).text, second.get(url).text] == ["v1", "v1"]
    # when a deploy lands on preview only, production is unchanged and preview is new, everywhere
    deploy(app, "export default { fetch: () => new Response('v2') };", promote=False)
    assert [first.get(url).text, second.get(url).text] == ["v1", "v1"]
    preview = {"X-Stage-Channel": "preview", "Authorization": f"Bearer {apikey_create(user=user)[1]}"}
    assert [first.get(url, **preview).text, second.get(url, **preview).text] == ["v2", "v2"]
    # when promoted
    channel_promote(app=app, actor=user)
    assert [first.get(url).text, second.get(url).text] == ["v2", "v2"]
    # when rolled back
    channel_rollback(app=app, actor=user)
    assert [first.get(url).text, second.get(url).text] == ["v1", "v1"]


def test_the_deploy_time_compile_serves_a_web_process_that_never_compiled(two_web_processes, user):
    # given a version deployed here (this process compiles it) and never requested
    first, _ = two_web_processes
    app = publish(user, "export default { fetch: () => new Response('warm') };")
    version = deploy(app, "export default { fetch: () => new Response('compiled at deploy') };")
    # then the bundle is already in the shared cache, and a web process serves it from there
    assert "compiled at deploy" in cache.get(_cache_key(version.sid))
    assert first.get(f"/stage/{app.sid}/api/").text == "compiled at deploy"
