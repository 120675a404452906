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
