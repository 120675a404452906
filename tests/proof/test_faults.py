"""Faults on real services: PostgreSQL restarted under a serving gunicorn answers 503 in the envelope and
recovers without restarting Stage."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.harness import free_port
from tests.proof.pg_instance import PrivatePostgres, available
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


@pytest.fixture
def private_postgres():
    if not available():
        pytest.skip("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    server = PrivatePostgres(free_port())
    server.init()
    server.start()
    yield server
    server.destroy()


def _stage_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "fault-test-secret-" + "k" * 40,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
    }


def test_postgres_restart_gives_503s_in_the_envelope_then_service_resumes(private_postgres, tmp_path):
    env = _stage_env(private_postgres.url)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    key = (
        subprocess.run(
            [*manage, "createapikey", "--user", "faults"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=open(tmp_path / "gunicorn.log", "wb"),  # noqa: SIM115
    )
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
            wait_for(lambda: http.get("/api/health").status_code == 200, ignore=(httpx.HTTPError,))
            created = http.post("/api/v1/stage/sessions", json={"name": "before"})
            assert created.status_code == 201
            session_id = created.json()["data"]["id"]

            # when: the database goes away under the serving web process
            private_postgres.stop()
            for _ in range(4):  # both workers, reads and writes
                for response in (
                    http.get(f"/api/v1/stage/sessions/{session_id}/status"),
                    http.post("/api/v1/stage/sessions", json={}),
                ):
                    assert response.status_code == 503, response.text
                    assert response.json() == {
                        "success": False,
                        "error": {"code": "UNAVAILABLE", "message": "The database is unavailable; retry shortly."},
                    }
                    assert response.headers["Retry-After"] == "5"
            assert http.get("/api/health").status_code == 503

            # then: it comes back, and Stage serves again without a restart (each worker's pool reconnects within
            # its back-off, a few seconds; meanwhile the envelope's 503 says to retry, and nothing is written)
            private_postgres.start()
            private_postgres.wait_ready()
            wait_for(
                lambda: http.get(f"/api/v1/stage/sessions/{session_id}/status").status_code == 200,
                ignore=(httpx.HTTPError,),
            )
            wait_for(lambda: http.post("/api/v1/stage/sessions", json={"name": "after"}).status_code == 201)
            # every worker's pool back (each reconnects on its own back-off), the listing is whole
            for _ in range(4):
                listing = wait_for(lambda: (r := http.get("/api/v1/stage/sessions")).status_code == 200 and r)
                names = [s["name"] for s in listing.json()["data"]["results"]]
                assert names == ["after", "before"]  # nothing acknowledged was lost, nothing refused was written
            assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=15)
