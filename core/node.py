"""A warm Node.js process that answers one JSON line per request: the one way the platform runs Node.

Renders (stage/renders/js/build.mjs) and backend compiles (published_api/js/compile.mjs) each keep one driver
process per Python process, started on first use and reused: starting Node and esbuild costs about 200 ms, a
warm build tens of milliseconds. One request at a time per driver. A request that overruns its deadline kills
the process; a process that died between requests is replaced once, transparently; the next request after a
kill starts a fresh one. Node runs with a clean environment (PATH only), so nothing of the platform's settings
or secrets reaches the driver, and the executable is one setting, STAGE_NODE.
"""

import hashlib
import json
import logging
import os
import selectors
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
LOCK_FILE = ROOT / "package-lock.json"
LINE_SERVER = ROOT / "core" / "js" / "line_server.mjs"  # every driver imports it
STAGE_UTILS = ROOT / "core" / "js" / "stage_utils.js"  # @stage/utils, for backends and for apps' frames alike


class NodeFailed(Exception):
    """The driver gave no answer: Node is missing, crashed twice, or overran the deadline."""


class NodeMissing(NodeFailed):
    pass


class NodeCrashed(NodeFailed):
    pass


class NodeTimedOut(NodeFailed):
    pass


class NodeBusy(NodeFailed):
    """The driver was still busy with other requests when the caller stopped waiting for it."""


def fingerprint(drivers: Iterable[Path]) -> str:
    """What besides its input decides a driver's output: the driver files and the locked npm packages."""
    digest = hashlib.sha256()
    for path in (*sorted(drivers), LOCK_FILE):
        digest.update(str(path.name).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


class NodeDriver:
    """One warm `node <script>` process; `call(request)` sends one JSON line and returns the JSON answer."""

    def __init__(self, script: Path, *, name: str):
        self.script = script
        self.name = name
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.calls = 0

    def call(self, request: dict, *, timeout: float, wait: float | None = None) -> dict:
        """The answer to `request` within `timeout` seconds; with `wait`, NodeBusy when the driver is not free for
        this request within `wait` seconds (a caller that would rather do without than queue)."""
        line = json.dumps(request).encode() + b"\n"
        if not self.lock.acquire(timeout=-1 if wait is None else wait):
            raise NodeBusy(f"{self.name} is busy")
        try:
            self.calls += 1
            deadline = time.monotonic() + timeout
            try:
                return self._exchange(line, deadline=deadline)
            except NodeCrashed:
                # The warm process may have died between requests (killed, out of memory): one fresh try.
                return self._exchange(line, deadline=deadline)
        finally:
            self.lock.release()

    def stop(self) -> None:
        with self.lock:
            self._kill()

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            try:
                self.process = subprocess.Popen(
                    [settings.STAGE_NODE, str(self.script)],
                    cwd=self.script.parent,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=None,  # the driver's own failures belong in the platform's log
                    bufsize=0,
                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                )
            except OSError as exc:
                raise NodeMissing(f"Node.js not found ({settings.STAGE_NODE})") from exc
        return self.process

    def _kill(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                stream.close()
        self.process = None

    def _exchange(self, line: bytes, *, deadline: float) -> dict:
        process = self._start()
        try:
            process.stdin.write(line)
            process.stdin.flush()
            answer = _read_line(process.stdout, deadline=deadline)
        except TimeoutError as exc:
            self._kill()
            logger.warning("%s: the Node process overran its deadline; killed", self.name)
            raise NodeTimedOut(f"{self.name} timed out") from exc
        except (BrokenPipeError, EOFError) as exc:
            self._kill()
            logger.warning("%s: the Node process died: %r", self.name, exc)
            raise NodeCrashed(f"{self.name} crashed") from exc
        return json.loads(answer)


def _read_line(stream, *, deadline: float) -> bytes:
    """Read one answer line from the pipe, giving up at the deadline (readline alone would block forever).

    A driver writes exactly one line per request, so nothing follows the newline.
    """
    buffer = bytearray()
    fd = stream.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while not buffer.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise TimeoutError
            data = os.read(fd, 1 << 20)
            if not data:
                raise EOFError
            buffer += data
    return bytes(buffer)
