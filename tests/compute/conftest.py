import pytest

from published_api.compute.store import close_idle_connections
from tests.compute.openai_server import VALID_KEY, OpenAIServer


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
    settings.OPENAI_API_KEY = VALID_KEY
    settings.OPENAI_BASE_URL = openai_server.base_url
    settings.OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
    return openai_server
