"""One app's slow requests cannot take the platform's capacity: the production profile (`make serve`: ASGI workers)
with 200 concurrent 8-second requests to one app, while the platform's health, its REST API and another app are
probed the whole time by steady clients in processes of their own (bench/probe.py: a request every 20 ms)."""

import asyncio
import collections
import json
import subprocess
import sys

import httpx
import pytest

from bench.harness import ROOT, serve
from core.keys import apikey_create
from tests.support.publishing import HEALTH, publish
from tests.support.worker import worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SLOW = """export default { fetch: async (r: Request) => {
  if (new URL(r.url).pathname === "/warm") return new Response("warm");
  await new Promise((r) => setTimeout(r, 8000));
  return new Response("slow");
} };"""
CAP = 32


async def _flood(url: str, count: int) -> collections.Counter:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        answers = await asyncio.gather(*(client.get(url) for _ in range(count)), return_exceptions=True)
    return collections.Counter(getattr(answer, "status_code", type(answer).__name__) for answer in answers)


def _probe(url: str, *headers: str) -> subprocess.Popen:
    command = [sys.executable, str(ROOT / "bench" / "probe.py"), url, "--seconds", "6", "--interval", "0.02"]
    for header in headers:
        command += ["--header", header]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


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
        # given both apps' sandboxes started in both workers
        for _ in range(8):
            assert httpx.get(f"{base}/stage/{neighbour.sid}/api/health").status_code == 200
            assert httpx.get(f"{base}/stage/{slow.sid}/api/warm").text == "warm"
        # when 200 requests that each take 8 s arrive at once, while the rest is probed for 6 s
        probes = {
            "health": _probe(f"{base}/api/health"),
            "rest": _probe(f"{base}/api/v1/stage/sessions", f"Authorization: Bearer {key}"),
            "neighbour": _probe(f"{base}/stage/{neighbour.sid}/api/health"),
        }
        flood = asyncio.run(_flood(f"{base}/stage/{slow.sid}/api/", 200))
        seen = {name: json.loads(probe.communicate(timeout=30)[0]) for name, probe in probes.items()}
        # then the app got its cap of requests in flight and a 429 at once for the rest; nothing failed
        assert flood == {200: CAP, 429: 200 - CAP}, flood
        for name, figures in seen.items():
            assert set(figures["statuses"]) == {"200"}, (name, figures)
            assert figures["p99"] <= 100, (name, figures)
        # and afterwards everything answers, the slow app included
        assert httpx.get(f"{base}/stage/{slow.sid}/api/", timeout=30).text == "slow"
