import pytest

from published_api.compute.store import close_idle_connections
from tests.support.openai_server import OpenAIServer, use_as_default_provider


@pytest.fixture(autouse=True)
def backend_runtime(settings):
    """Each test starts with no backend processes and stops the ones it started."""
    from published_api.runtime import supervisor

    settings.STAGE_BACKEND_DEADLINE_SECONDS = 10.0
    settings.OPENAI_API_KEY = ""
    yield supervisor
    supervisor.stop_all()
    close_idle_connections()  # let the test database be dropped at the end


@pytest.fixture
def openai_server():
    with OpenAIServer() as server:
        yield server


@pytest.fixture
def openai_env(settings, openai_server):
    """The default provider `openai` from the environment, pointed at the local server."""
    use_as_default_provider(settings, openai_server)
    return openai_server
