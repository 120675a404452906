"""The SDK and CLI talk to a real Stage: pytest-django's live server, on the test database."""

import pytest
from stage_sdk import create_client

from core.keys import apikey_create
from tests.support.factories import UserFactory


def key_for(username: str) -> str:
    return apikey_create(user=UserFactory(username=username))[1]


@pytest.fixture
def stage_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def alice_key(transactional_db) -> str:
    return key_for("alice")


@pytest.fixture
def mallory_key(transactional_db) -> str:
    return key_for("mallory")


@pytest.fixture
def client(stage_url, alice_key):
    with create_client(gateway_url=stage_url, api_key=alice_key, timeout=20) as client:
        yield client


@pytest.fixture
def mallory(stage_url, mallory_key):
    with create_client(gateway_url=stage_url, api_key=mallory_key) as client:
        yield client


@pytest.fixture
def anonymous(stage_url):
    with create_client(gateway_url=stage_url, api_key="") as client:
        yield client


APP_TSX = "export default function App() {\n  return <h1>ShiftCal</h1>;\n}\n"
