"""Compile a version's backend into one ES module with esbuild, and keep the result.

A warm Node process (published_api/js/compile.mjs) answers one JSON line per compile. Bundles are immutable
per version, so they are kept by version sid and compiler revision: in this process's memory, on local disk
(Deno runs the file) and in the shared Django cache (Redis in production), which is how a deploy-time compile
on a Celery worker serves every web process. The shared cache is an optimisation: when Redis is down the
bundle is compiled here instead. Compile errors are kept in memory only.
"""

import hashlib
import json
import logging
import os
import subprocess
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from published_api.errors import BackendCompileError
from stage.models import AppVersion
from stage.selectors.apps import version_files

logger = logging.getLogger(__name__)

JS_DIR = Path(__file__).resolve().parent / "js"
COMPILE_TIMEOUT_SECONDS = 30


def _compiler_revision() -> str:
    digest = hashlib.sha256()
    for path in sorted(JS_DIR.glob("*.*js")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


REVISION = _compiler_revision()


class _WarmCompiler:
    """One Node process per Python process, one compile at a time; restarted when it dies or hangs."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None

    def _ensure(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [settings.STAGE_BACKEND_NODE, str(JS_DIR / "compile.mjs")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=JS_DIR,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            )
        return self._proc

    def compile(self, *, files: dict[str, str], entrypoint: str) -> dict:
        request = json.dumps({"files": files, "entrypoint": entrypoint}) + "\n"
        with self._lock:
            proc = self._ensure()
            timer = threading.Timer(COMPILE_TIMEOUT_SECONDS, proc.kill)
            timer.start()
            try:
                proc.stdin.write(request.encode())
                proc.stdin.flush()
                line = proc.stdout.readline()
            except OSError:
                line = b""
            finally:
                timer.cancel()
            if not line:
                proc.kill()
                self._proc = None
                raise BackendCompileError("The compiler stopped before answering (too slow or crashed).")
            return json.loads(line)


_compiler = _WarmCompiler()
_memory: dict[str, Path] = {}
_errors: dict[str, BackendCompileError] = {}


def bundle_dir() -> Path:
    path = Path(settings.STAGE_BACKEND_RUNTIME_DIR) / "bundles"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cache_key(version_sid: str) -> str:
    return f"stage:backend-bundle:{REVISION}:{version_sid}"


def _write_atomically(path: Path, code: str) -> None:
    temp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    temp.write_text(code)
    temp.replace(path)


def compile_error(error: dict) -> BackendCompileError:
    file, line = error.get("file") or "", error.get("line") or 0
    where = f"{file}:{line}" if line else file
    return BackendCompileError(
        f"{where}: {error.get('message')}" if where else str(error.get("message")),
        details={"file": file, "line": line, "column": error.get("column") or 0, "message": error.get("message")},
    )


def _shared_get(key: str) -> str | None:
    try:
        return cache.get(key)
    except Exception:  # Redis down: compile here rather than fail the request
        logger.warning("Shared bundle cache unavailable; compiling %s locally", key, exc_info=True)
        return None


def _shared_set(key: str, code: str) -> None:
    try:
        cache.set(key, code, timeout=None)
    except Exception:
        logger.warning("Shared bundle cache unavailable; %s is kept on local disk only", key, exc_info=True)


def bundle_for(*, version: AppVersion) -> Path:
    """The path of the version's compiled backend, compiling it on a miss. Raises BackendCompileError."""
    key = _cache_key(version.sid)
    if key in _memory and _memory[key].exists():
        return _memory[key]
    if key in _errors:
        raise _errors[key]
    path = bundle_dir() / f"{version.sid}-{REVISION}.js"
    if not path.exists():
        code = _shared_get(key)
        if code is None:
            result = _compiler.compile(files=version_files(version=version), entrypoint=version.backend_entrypoint)
            if "error" in result:
                _errors[key] = compile_error(result["error"])
                raise _errors[key]
            code = result["code"]
            _shared_set(key, code)
        _write_atomically(path, code)
    _memory[key] = path
    return path


def compile_version(*, version: AppVersion) -> str | None:
    """Compile ahead of the first request (deploy time). Returns the compile error message, or None."""
    if not version.backend_entrypoint:
        return None
    try:
        bundle_for(version=version)
    except BackendCompileError as error:
        return error.message
    return None
