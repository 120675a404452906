import pytest


@pytest.fixture(autouse=True)
def backend_runtime(settings, tmp_path_factory):
    """Each test starts with no backend processes and stops the ones it started."""
    from published_api.runtime import supervisor

    settings.STAGE_BACKEND_DEADLINE_SECONDS = 3.0
    yield supervisor
    supervisor.stop_all()
