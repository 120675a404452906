"""Run esbuild over a session's files held in memory, through a warm Node process (js/build.mjs).

One Node process per Python process, started on first use and reused: starting Node and esbuild costs about
200 ms, a warm build of a small React app about 60 ms. Requests and answers are one JSON line each. A build
that overruns its deadline kills the process (the next build starts a fresh one).
"""

import hashlib
import json
import logging
import os
import selectors
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

JS_DIR = Path(__file__).resolve().parent / "js"
BUILD_SCRIPT = JS_DIR / "build.mjs"
ROOT = JS_DIR.parent.parent.parent

# Bare imports an app may use, served from the platform's own node_modules. "pkg/*" allows any subpath.
ALLOWED_IMPORTS = (
    "react",
    "react/jsx-runtime",
    "react/jsx-dev-runtime",
    "react-dom",
    "react-dom/client",
    "lodash",
    "lodash/*",
    "papaparse",
    "recharts",
    "lucide-react",
)


@dataclass(frozen=True)
class BuildOutput:
    js: str
    css: str


class BuildFailed(Exception):
    """The app does not build: `errors` are [{file, line, column, message}] with 1-based line and column."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(format_errors(errors))


def format_errors(errors: list[dict]) -> str:
    lines = []
    for error in errors:
        where = error.get("file") or ""
        if where and error.get("line"):
            where = f"{where}:{error['line']}:{error['column']}"
        lines.append(f"{where}: {error['message']}" if where else error["message"])
    return "\n".join(lines)


def builder_fingerprint() -> str:
    """What besides the files decides an artifact: the build script, the runtime and the locked npm packages."""
    digest = hashlib.sha256()
    for path in (BUILD_SCRIPT, JS_DIR / "runtime.jsx", ROOT / "package-lock.json"):
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


class BuildServer:
    """A warm `node build.mjs` process, one build at a time."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.builds_run = 0

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [settings.STAGE_RENDER_NODE, str(BUILD_SCRIPT)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,
                stderr=None,
            )
        return self.process

    def stop(self) -> None:
        with self.lock:
            self._kill()

    def _kill(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                stream.close()
        self.process = None

    def build(self, *, entry: str, files: dict[str, str], timeout: float | None = None) -> BuildOutput:
        request = json.dumps({"entry": entry, "files": files, "allowed": ALLOWED_IMPORTS}).encode() + b"\n"
        timeout = settings.STAGE_RENDER_TIMEOUT_SECONDS if timeout is None else timeout
        with self.lock:
            self.builds_run += 1
            try:
                deadline = time.monotonic() + timeout
                try:
                    answer = self._exchange(request, deadline=deadline)
                except _Crashed:
                    # The warm process may have died between builds (killed, out of memory): one fresh try.
                    answer = self._exchange(request, deadline=deadline)
            except _Crashed as exc:
                raise BuildFailed([_platform_error("The build crashed")]) from exc
            except FileNotFoundError as exc:
                raise BuildFailed([_platform_error(f"Node.js not found ({settings.STAGE_RENDER_NODE})")]) from exc
        if not answer["ok"]:
            raise BuildFailed(answer["errors"])
        return BuildOutput(js=answer["js"], css=answer["css"])

    def _exchange(self, request: bytes, *, deadline: float) -> dict:
        process = self._start()
        try:
            process.stdin.write(request)
            process.stdin.flush()
            line = _read_line(process.stdout, deadline=deadline)
        except TimeoutError as exc:
            self._kill()
            logger.warning("esbuild process timed out; killed")
            raise BuildFailed([_platform_error("The build timed out")]) from exc
        except (BrokenPipeError, EOFError) as exc:
            self._kill()
            logger.warning("esbuild process crashed: %r", exc)
            raise _Crashed from exc
        return json.loads(line)


class _Crashed(Exception):
    """The Node process died mid-build."""


def _platform_error(message: str) -> dict:
    return {"file": None, "line": None, "column": None, "message": message}


def _read_line(stream, *, deadline: float) -> bytes:
    """Read one answer line from the pipe, giving up at the deadline (readline alone would block forever).

    Node writes exactly one line per request, so nothing follows the newline.
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


server = BuildServer()


def build_bundle(*, entry: str, files: dict[str, str]) -> BuildOutput:
    """Bundle `entry` and what it imports from `files`; raise BuildFailed with located errors."""
    return server.build(entry=entry, files=files)
