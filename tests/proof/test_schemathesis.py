"""Fuzz every documented operation from the drf-spectacular schema with schemathesis, with two owners' keys.

Checks: no 5xx, responses conform to the schema (so every error is in the envelope), negative data is
rejected, requests without the key are refused. Bounded: a few examples per operation.

Every other example aims at alice's real resources: ids in the path, her session in X-Stage-Session, and in the
body the names of things that exist (the inference provider, which a local OpenAI-compatible server plays, and
her app's compute module, which runs in Deno on the PostgreSQL document store), so handlers run to the end.
"""

import itertools
import os
import re
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
from schemathesis.core.parameters import ParameterLocation

from published_api.compute.store import close_idle_connections
from published_api.inference.providers import DEFAULT_NAME as DEFAULT_PROVIDER
from published_api.runtime import supervisor
from tests.conftest import client_for
from tests.support.openai_server import OpenAIServer, use_as_default_provider
from tests.support.rest import APP_FILES, api_publish
from tests.support.services import missing, postgres_available

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, negative_data_rejection, ignored_auth]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))  # CI: 3 per operation; FUZZ_EXAMPLES=80 to dig deeper
SESSION_HEADER = "X-Stage-Session"

# Alice's compute module: each function hands back the fuzzed args, the mutation after a round trip through
# the document store, the action through the mutation. It replaces APP_FILES' placeholder module, which does not
# import `query` and so stops the process from starting.
COMPUTE_MODULE = "tasks"
COMPUTE_SOURCE = """
import { query, mutation, action } from "@stage/compute";
export const echo = query({ handler: async (ctx, args) => args });
export const keep = mutation({ handler: async (ctx, args) =>
  (await ctx.db.get(await ctx.db.insert("fuzzed", { args }))).args });
export const relay = action({ handler: async (ctx, args) => await ctx.runMutation("tasks", "keep", args) });
"""
FUNCTION_OF_KIND = {"query": "echo", "mutation": "keep", "action": "relay"}

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


OWNED_PATH = re.compile(r"\{(session_id|sid|app_sid|snapshot_id|run_id)\}")


def _takes_session_header(operation) -> bool:
    # From the raw definition: while filtering, schemathesis has not resolved an operation's parameters yet.
    return any(parameter.get("name") == SESSION_HEADER for parameter in operation.definition.raw.get("parameters", []))


def _names_alices_resource(ctx) -> bool:
    return bool(OWNED_PATH.search(ctx.operation.path)) or _takes_session_header(ctx.operation)


# The operations that name one of alice's resources: in their path, or her session in the header.
owned_operations = schema.include(_names_alices_resource)


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
def providers_and_processes(settings):
    """Inference answered by a local OpenAI-compatible server; the compute processes started are stopped after."""
    with OpenAIServer() as server:
        use_as_default_provider(settings, server)
        yield
    supervisor.stop_all()
    close_idle_connections()  # the compute store's own connections, so the test database can be dropped


@pytest.fixture
def owners(user, other_user, settings, providers_and_processes):
    """Alice owns a published app (with a compute module), its session and a snapshot; mallory owns nothing."""
    settings.STAGE_RATE_LIMIT_PER_KEY = "off"  # hundreds of requests a minute on one key: not what is tested here
    cache.clear()
    alice, mallory = client_for(user), client_for(other_user)
    app = api_publish(alice, {**APP_FILES, f"/app/compute/{COMPUTE_MODULE}.ts": COMPUTE_SOURCE})
    session_id = app["sessionId"]
    snapshot = alice.post(f"/api/v1/stage/sessions/{session_id}/snapshots", {}, format="json").json()["data"]["id"]
    ids = {"session_id": session_id, "sid": app["sid"], "app_sid": app["sid"], "snapshot_id": snapshot}
    return alice, mallory, ids


@pytest.fixture
def aims():
    """Every other example (the first included) aims at what exists, so handlers run past the lookup."""
    return itertools.cycle([True, False])


def _existing_names(path: str) -> dict:
    """The body fields of an operation that name a resource, set to one that exists."""
    if path.startswith("/api/v1/inference/"):
        return {"provider": DEFAULT_PROVIDER}
    if "/compute/" in path:
        return {"module": COMPUTE_MODULE, "fn": FUNCTION_OF_KIND[path.rsplit("/", 1)[1]]}
    return {}


def _aim_at_alices_resources(case, ids: dict) -> None:
    if case.path_parameters:
        case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
    if case.headers and SESSION_HEADER in case.headers:
        case.headers[SESSION_HEADER] = ids["session_id"]
    body_is_valid = case.meta is not None and not case.meta.is_negative_at(ParameterLocation.BODY)
    if isinstance(case.body, dict) and body_is_valid:
        case.body = {**case.body, **_existing_names(case.path)}


def _headers_are_the_invalid_part(case) -> bool:
    return bool(case.meta and case.meta.is_negative_at(ParameterLocation.HEADER))


def _call(case, key):
    # A case whose invalid part is its headers may have dropped or mangled Authorization on purpose: sending the
    # key anyway would turn it into a valid request, and a 200 would be judged as bad data accepted.
    headers = None if _headers_are_the_invalid_part(case) else {"Authorization": f"Bearer {key}"}
    with connection_kept():
        return case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_fuzzed_requests_with_alices_key_on_alices_ids(case, owners, aims):
    alice, _, ids = owners
    if "/compute/" in case.path and not postgres_available():
        missing("needs PostgreSQL: set DATABASE_URL=postgres://... (the compute store runs on it only)")
    # A case whose headers are the invalid part keeps them as generated (aiming would fix X-Stage-Session).
    if next(aims) and not _headers_are_the_invalid_part(case):
        _aim_at_alices_resources(case, ids)
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
    if case.method == "OPTIONS":
        return  # OPTIONS describes the endpoint, the same for every id
    headers = {"Authorization": f"Bearer {mallory.raw_key}"}
    if _takes_session_header(case.operation):
        headers[SESSION_HEADER] = ids["session_id"]
    if case.path_parameters:
        case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
    case.headers = headers
    with connection_kept():
        response = case.call()
    # The session is looked up before the body is read: with the operation's own method that is always a 404.
    session_first = SESSION_HEADER in headers and case.method.upper() == case.operation.method.upper()
    expected = {404} if session_first else {400, 404, 405, 413, 415}
    assert response.status_code in expected, (case.method, case.formatted_path, response.text)
    assert response.json()["success"] is False
