"""What every benchmark needs: a migrated database, an API key, a real server on loopback, medians.

Benchmarks print figures; they are not tests and never fail a build.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


def require_postgres() -> str:
    """The figures are defined on PostgreSQL: make sure DATABASE_URL names one, creating its database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... : the figures are defined on PostgreSQL.")
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def django_on_postgres_and_redis(why: str) -> None:
    """For benches that run Django in their own process: PostgreSQL and Redis named, the database migrated, Django
    set up. `why`: what needs Redis, for the message when REDIS_URL is missing."""
    require_postgres()
    if not os.environ.get("REDIS_URL"):
        sys.exit(f"Set REDIS_URL=redis://... : {why}.")
    manage("migrate", "--noinput")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def manage(*args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout


def api_key(username: str = "bench") -> str:
    return manage("createapikey", "--user", username).strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(workers: int = 2, extra_env: dict | None = None, *, log: Path | None = None, worker: bool = False):
    """Run the production profile (`make serve`: gunicorn with uvicorn workers) on a free loopback port; yield
    its base URL. Celery only with `worker=True` (and REDIS_URL set)."""
    port = free_port()
    # Benchmarks measure throughput, so rate limits are off unless the caller sets them.
    unlimited = {
        "STAGE_RATE_LIMIT_PER_KEY": "off",
        "STAGE_APP_LIMIT_BACKEND_REQUESTS": "off",
        "STAGE_APP_LIMIT_WORKFLOW_RUNS": "off",
    }
    env = {**unlimited, **os.environ, **(extra_env or {})}
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY") or "bench-only-secret-" + "x" * 40,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "STAGE_APPS_SCHEME": "http",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "SERVE_WORKER": "yes" if worker else "no",
            "GUNICORN_ACCESSLOG": "",
        }
    )
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"make serve exited ({process.returncode}); see {log}")
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("make serve did not come up")
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log:
            output.close()


def wrk(url: str, *, connections: int, seconds: int = 4) -> tuple[float, float]:
    """Drive a URL with wrk (a C load generator that leaves the CPU to the server); return (req/s, p50 ms)."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed for this figure: apt-get install -y wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups()
    p50 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} failed responses from {url}")
    return rps, p50


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def report(name: str, value: float, unit: str, target: str = "", *, digits: int = 1) -> None:
    print(f"{name:<58} {value:>10.{digits}f} {unit:<6} {target}")
