import pytest

from tests.published_api.servers import LocalServer


@pytest.fixture
def local_server():
    with LocalServer() as server:
        yield server


@pytest.fixture
def allow_local(settings, local_server):
    """Let outbound calls reach the local test server, and only it."""
    settings.STAGE_EGRESS_ALLOW = [f"127.0.0.1:{local_server.port}"]
    return local_server


@pytest.fixture(autouse=True)
def backend_runtime(settings, tmp_path_factory):
    """Each test starts with no backend processes and stops the ones it started."""
    from published_api.runtime import supervisor

    settings.STAGE_BACKEND_DEADLINE_SECONDS = 3.0
    yield supervisor
    supervisor.stop_all()
