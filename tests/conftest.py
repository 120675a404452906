import signal  # noqa: F401  (re-exported for worker-killing tests)

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core.keys import apikey_create
from tests.support.factories import UserFactory
from tests.support.local_server import LocalServer
from tests.support.services import require_marked_services
from tests.support.worker import WorkerProcess

# In-process tests own their sandboxes (they hold uncommitted data a host runtime's process could not read); servers
# the tests start (`make serve`) run the production default, the host runtime, and tests of it ask for it.
settings.STAGE_RUNTIME = "process"
settings.STAGE_RUNTIME_WARM = 0  # in-process tests start sandboxes cold; warm ones in the tests that ask for them


def pytest_runtest_setup(item):
    require_marked_services(item)


@pytest.fixture(autouse=True)
def celery_mode(request):
    """Tasks run in-process unless the test asks for a real worker (marker `worker`)."""
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="mallory")


def client_for(user) -> APIClient:
    _, raw_key = apikey_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    client.raw_key = raw_key
    return client


@pytest.fixture
def local_server():
    """A real HTTP server on 127.0.0.1 that answers by path and records every request."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def allow_local(settings, local_server):
    """Let outbound calls reach the local test server, and only it."""
    settings.STAGE_EGRESS_ALLOW = [f"127.0.0.1:{local_server.port}"]
    return local_server


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")


@pytest.fixture
def staff(client, staff_user):
    """The Django test client, logged in as a superuser."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def api(user):
    """An API client holding alice's key."""
    return client_for(user)


@pytest.fixture
def other_api(other_user):
    """An API client holding another owner's key."""
    return client_for(other_user)


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real Celery worker on Redis and the test database. Data must be committed for it to see."""
    worker = WorkerProcess(tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()
