"""One app's slow requests cannot take the platform's capacity: the production profile (`make serve`: ASGI workers)
with 200 concurrent 8-second requests to one app, while the platform's health, its REST API and another app are
measured with wrk (a C load generator) the whole time."""

import asyncio
import collections
import re
import subprocess

import httpx
import pytest

from bench.harness import serve
from stage.services.keys import apikey_create
from tests.published_api.apps import HEALTH, publish
from tests.worker import worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SLOW = """export default { fetch: async () => {
  await new Promise((r) => setTimeout(r, 8000));
  return new Response("slow");
} };"""
CAP = 32


async def _flood(url: str, count: int) -> collections.Counter:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        answers = await asyncio.gather(*(client.get(url) for _ in range(count)), return_exceptions=True)
    for answer in answers:
        if getattr(answer, "status_code", 0) >= 500:
            print("FLOOD 5xx", answer.text)
    return collections.Counter(getattr(answer, "status_code", type(answer).__name__) for answer in answers)


def _wrk(url: str, seconds: int, *headers: str) -> subprocess.Popen:
    command = ["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def _p99_ms(output: str) -> float:
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def test_two_hundred_slow_requests_to_one_app_leave_the_platform_and_its_neighbours_fast(
    transactional_db, user, tmp_path
):
    slow, neighbour = publish(user, SLOW, name="slow"), publish(user, HEALTH, name="neighbour")
    _, key = apikey_create(user=user)
    env = {
        "DATABASE_URL": worker_environment()["DATABASE_URL"],
        "STAGE_APP_MAX_CONCURRENCY": str(CAP),
        "STAGE_RATE_LIMIT_PER_KEY": "off",
        "STAGE_BACKEND_DEADLINE_SECONDS": "20",
    }
    with serve(workers=2, extra_env=env, log=tmp_path / "serve.log") as base:
        # given both apps' sandboxes started
        assert httpx.get(f"{base}/stage/{neighbour.sid}/api/health").status_code == 200
        # when 200 requests that each take 8 s arrive at once, and for 6 s of them the rest is measured
        probes = {
            "health": _wrk(f"{base}/api/health", 6),
            "rest": _wrk(f"{base}/api/v1/stage/sessions", 6, f"Authorization: Bearer {key}"),
            "neighbour": _wrk(f"{base}/stage/{neighbour.sid}/api/health", 6),
        }
        flood = asyncio.run(_flood(f"{base}/stage/{slow.sid}/api/", 200))
        outputs = {name: probe.communicate(timeout=30)[0] for name, probe in probes.items()}
        # then the app got its cap of requests in flight and a 429 at once for the rest; nothing failed
        assert flood == {200: CAP, 429: 200 - CAP}, flood
        for name, output in outputs.items():
            assert "Non-2xx" not in output and "Socket errors" not in output, (name, output)
            assert _p99_ms(output) <= 100, (name, output)
        # and afterwards everything answers, the slow app included
        assert httpx.get(f"{base}/stage/{slow.sid}/api/", timeout=30).text == "slow"
