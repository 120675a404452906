"""The development server (`make run`: runserver, a thread per request) cannot exhaust PostgreSQL: every process
holds at most STAGE_DB_POOL_SIZE connections, however many requests arrive, and none of them fails for it."""

import collections
import concurrent.futures
import subprocess
import sys

import httpx
import pytest
from django.db import connection

from bench.harness import ROOT, free_port
from core.keys import apikey_create
from tests.support.waiting import wait_for
from tests.support.worker import worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
POOL = 4


def _connections_to(database: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        )
        return cursor.fetchone()[0]


def test_640_requests_in_a_few_seconds_hold_no_more_than_the_pool(user, tmp_path):
    _, key = apikey_create(user=user)
    port = free_port()
    env = {**worker_environment(), "STAGE_DB_POOL_SIZE": str(POOL), "STAGE_RATE_LIMIT_PER_KEY": "off"}
    log = open(tmp_path / "runserver.log", "wb")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base, database = f"http://127.0.0.1:{port}", connection.settings_dict["NAME"]
    before = _connections_to(database)  # whatever else already holds one (this process's other pools)
    try:
        wait_for(lambda: httpx.get(f"{base}/api/health", timeout=1).status_code == 200, ignore=(httpx.HTTPError,))
        headers = {"Authorization": f"Bearer {key}"}
        peak = 0

        def request(index: int) -> int:
            url = f"{base}/api/v1/stage/sessions" if index % 2 else f"{base}/api/health"
            return httpx.get(url, headers=headers, timeout=30).status_code

        # when 640 requests arrive from 64 clients at once
        with concurrent.futures.ThreadPoolExecutor(max_workers=64) as clients:
            answers = clients.map(request, range(640))
            statuses = collections.Counter()
            for status in answers:
                statuses[status] += 1
                peak = max(peak, _connections_to(database))
        # then every one was answered, and the server never held more connections than its pool
        assert statuses == {200: 640}, statuses
        assert peak - before <= POOL, (before, peak)
        assert _connections_to(database) - before <= POOL
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
