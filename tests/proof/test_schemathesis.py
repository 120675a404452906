"""Fuzz every documented operation from the drf-spectacular schema with schemathesis, with two owners' keys.

Checks: no 5xx, responses conform to the schema (so every error is in the envelope), negative data is
rejected, requests without the key are refused. Bounded: a few examples per operation.
"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import ignored_auth, negative_data_rejection, not_a_server_error, response_schema_conformance

from tests.conftest import client_for
from tests.stage.apps_support import publish

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, negative_data_rejection, ignored_auth]
EXAMPLES = 3

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

# The operations that name one of alice's resources in their path.
owned_operations = schema.include(path_regex=r"\{(session_id|sid|app_sid|snapshot_id|run_id)\}")


@contextmanager
def connection_kept():
    """Like Django's test client: a request through the WSGI app must not close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def owners(user, other_user, settings):
    """Alice owns a published app, its session and a snapshot; mallory owns nothing of hers."""
    settings.STAGE_RATE_LIMIT_PER_KEY = "off"  # hundreds of requests a minute on one key: not what is tested here
    cache.clear()
    alice, mallory = client_for(user), client_for(other_user)
    app = publish(alice)
    session_id = app["sessionId"]
    snapshot = alice.post(f"/api/v1/stage/sessions/{session_id}/snapshots", {}, format="json").json()["data"]["id"]
    ids = {"session_id": session_id, "sid": app["sid"], "app_sid": app["sid"], "snapshot_id": snapshot}
    return alice, mallory, ids


def _call(case, key):
    with connection_kept():
        return case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_fuzzed_requests_with_alices_key_on_alices_ids(case, owners):
    alice, _, ids = owners
    # Half the examples aim at resources that exist, so handlers run past the lookup.
    if case.path_parameters and hash(repr(case.body)) % 2 == 0:
        case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
    _call(case, alice.raw_key)


@owned_operations.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_fuzzed_requests_with_mallorys_key_on_alices_ids_never_succeed(case, owners):
    _, mallory, ids = owners
    if not case.path_parameters or not set(case.path_parameters) & set(ids) or case.method == "OPTIONS":
        return  # OPTIONS describes the endpoint, the same for every id
    case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
    case.headers = {"Authorization": f"Bearer {mallory.raw_key}"}
    with connection_kept():
        response = case.call()
    assert response.status_code in {400, 404, 405, 413, 415}, (case.method, case.formatted_path, response.text)
    assert response.json()["success"] is False
