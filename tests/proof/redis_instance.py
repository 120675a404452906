"""A private redis-server on its own port that a test may stop and start again.

The shared Redis serves every other test; faults are injected only into this one. It keeps nothing on disk, so
a restart comes back empty: the worst case, where whatever was queued in Redis is gone.
"""

import shutil
import subprocess
import time

import redis


def available() -> bool:
    return shutil.which("redis-server") is not None


class PrivateRedis:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private Redis did not come up")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # as abrupt as an outage: no shutdown handshake with the clients
            self.process.wait(timeout=10)
