"""Two hosts, shown on one machine (issue 19): two `make serve` instances on their own ports and runtime directories
(as two hosts would have), sharing PostgreSQL and Redis, and a client that alternates between them.

- an app published through host A answers through host B; a deploy through A is served by B on its next request
  (median over 9 deploys of the time from the deploy's answer to B serving the new version);
- under load (8 client threads alternating A, B, A, ..., a connection each), host A is killed mid-run (its whole
  process group, SIGKILL): only the requests in flight on A are lost (those sent to it before its socket stopped
  taking connections); a request A refuses (nothing sent) goes to B.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_hosts REDIS_URL=redis://127.0.0.1:6379/5 \\
    .venv/bin/python bench/bench_hosts.py
"""

import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_backend import publish
from bench.harness import api_key, manage, median_ms, report, require_postgres, serve

TAGGED = (
    'export default { fetch: async () => { await new Promise((r) => setTimeout(r, 20)); return new Response("%s"); } };'
)
THREADS = 8
LOAD_SECONDS = 6


class AlternatingClient:
    """Sends each request to the next host in turn; a host that refuses the connection is skipped."""

    def __init__(self, bases: list[str]):
        self.bases, self.turn, self.lock = bases, 0, threading.Lock()
        self.answered = self.lost = self.in_flight_at_kill = 0
        self.in_flight = {base: 0 for base in bases}

    def _next(self) -> str:
        with self.lock:
            self.turn += 1
            return self.bases[self.turn % len(self.bases)]

    def get(self, client: httpx.Client, path: str) -> None:
        for _ in range(len(self.bases)):
            base = self._next()
            with self.lock:
                self.in_flight[base] += 1
            try:
                answer = client.get(f"{base}{path}", headers={"Connection": "close"})
                ok = answer.status_code == 200
            except httpx.ConnectError:
                continue  # refused: nothing was sent, the other host takes it
            except httpx.HTTPError:
                ok = False
            finally:
                with self.lock:
                    self.in_flight[base] -= 1
            with self.lock:
                self.answered += ok
                self.lost += not ok
            return


def main() -> None:
    require_postgres()
    manage("migrate", "--noinput")
    headers = {"Authorization": f"Bearer {api_key('bench-hosts')}"}
    with contextlib.ExitStack() as stack:
        hosts = []
        for name in ("a", "b"):
            runtime_dir = tempfile.mkdtemp(prefix=f"sbh{name}-", dir="/tmp")
            env = {"STAGE_BACKEND_RUNTIME_DIR": runtime_dir}
            log = Path(tempfile.gettempdir()) / f"bench-host-{name}.log"
            hosts.append(stack.enter_context(serve(workers=2, extra_env=env, log=log)))
        a, b = hosts
        api = stack.enter_context(httpx.Client(base_url=f"{a}/api/v1/stage", headers=headers, timeout=60))
        session, sid = publish(api, "v0", TAGGED % "v0")
        assert httpx.get(f"{b}/stage/{sid}/api/", timeout=30).text == "v0", "host B serves what A published"
        report("an app published through A answers through B", 1, "")

        seen = []
        for run in range(1, 10):
            api.post(f"/sessions/{session}/push", json={"files": {"/app/src/app.ts": TAGGED % f"v{run}"}})
            api.post(f"/apps/{sid}/deploy", json={"promote": True}).raise_for_status()
            start = time.perf_counter()
            body = httpx.get(f"{b}/stage/{sid}/api/", timeout=30).text
            seen.append(time.perf_counter() - start)
            assert body == f"v{run}", f"B's next request after a deploy through A answered {body}"
        report("B's next request after a deploy through A: the new version, 9 of 9; median", median_ms(seen), "ms")

        balancer, stop = AlternatingClient(hosts), threading.Event()

        def load():
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    balancer.get(client, f"/stage/{sid}/api/")

        threads = [threading.Thread(target=load, daemon=True) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        time.sleep(LOAD_SECONDS / 2)
        make_a = _make_process(a)
        with balancer.lock:  # no request starts or ends until A's socket refuses connections
            os.killpg(make_a, signal.SIGKILL)
            _until_refused(a)
            balancer.in_flight_at_kill = balancer.in_flight[a]
        time.sleep(LOAD_SECONDS / 2)
        stop.set()
        for thread in threads:
            thread.join(30)
        report("requests answered under load (A killed halfway)", balancer.answered, "")
        report("requests lost", balancer.lost, "", f"<= in flight on A at the kill ({balancer.in_flight_at_kill})")


def _until_refused(base: str) -> None:
    while True:
        try:
            httpx.get(f"{base}/api/health/live", timeout=0.2, headers={"Connection": "close"})
        except httpx.ConnectError:
            return
        except httpx.HTTPError:
            pass
        time.sleep(0.005)


def _make_process(base: str) -> int:
    """The process group of the `make serve` answering on this base URL (its gunicorn, workers and runtime)."""
    port = base.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            environ = (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes()
            if command.startswith(b"make\0") and f"PORT={port}".encode() in environ:
                return os.getpgid(int(entry.name))
    raise RuntimeError(f"no make serve on port {port}")


if __name__ == "__main__":
    main()
