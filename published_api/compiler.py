"""Compile a version's backend into one ES module with esbuild, and keep the result.

The warm Node driver published_api/js/compile.mjs (run by core/node.py) answers one compile per request. A
version with compute modules and no backend entrypoint gets a stub entry that answers 404, so its modules still
load. Bundles are immutable per version, so they are kept by version sid and compiler revision (a fingerprint
over the drivers and package-lock.json, so an npm upgrade compiles afresh): in this process's memory, on local
disk (Deno runs the file) and in the shared Django cache (Redis in production) for
STAGE_BACKEND_BUNDLE_TTL_SECONDS, which is how the compile a deploy does serves every web process. The shared
cache is an optimisation: when Redis is down the bundle is compiled here instead. Compile errors are kept in
this process's memory only.
"""

import logging
import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from core.node import LINE_SERVER, STAGE_UTILS, NodeDriver, NodeFailed, NodeMissing, fingerprint
from published_api.errors import BackendCompileError
from stage.models import AppVersion
from stage.selectors.published_apps import version_files

logger = logging.getLogger(__name__)

JS_DIR = Path(__file__).resolve().parent / "js"
COMPILE_TIMEOUT_SECONDS = 30


def compiler_revision() -> str:
    """What besides a version's files decides its bundle: the compile driver, the runtime modules it bundles
    (published_api/js) and the locked npm packages (hono, esbuild)."""
    return fingerprint((*JS_DIR.glob("*.*js"), STAGE_UTILS, LINE_SERVER))[:12]


REVISION = compiler_revision()
STUB = "/__stage_compute_only.js"
STUB_SOURCE = "export default { fetch: () => new Response('This app has no backend.', { status: 404 }) };\n"

_driver = NodeDriver(JS_DIR / "compile.mjs", name="The compiler")
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


def compile_files(*, files: dict[str, str], entrypoint: str) -> str:
    """The bundled ES module of `entrypoint` over `files`. Raises BackendCompileError."""
    try:
        result = _driver.call({"files": files, "entrypoint": entrypoint}, timeout=COMPILE_TIMEOUT_SECONDS)
    except NodeMissing as exc:
        raise BackendCompileError(str(exc)) from exc
    except NodeFailed as exc:
        raise BackendCompileError("The compiler stopped before answering (too slow or crashed).") from exc
    if "error" in result:
        raise compile_error(result["error"])
    return result["code"]


def _compile_version(version: AppVersion) -> str:
    files = version_files(version=version)
    if version.backend_entrypoint:
        return compile_files(files=files, entrypoint=version.backend_entrypoint)
    return compile_files(files={**files, STUB: STUB_SOURCE}, entrypoint=STUB)


def _shared_get(key: str) -> str | None:
    try:
        return cache.get(key)
    except Exception:  # Redis down: compile here rather than fail the request
        logger.warning("Shared bundle cache unavailable; compiling %s locally", key, exc_info=True)
        return None


def _shared_set(key: str, code: str) -> None:
    try:
        cache.set(key, code, timeout=settings.STAGE_BACKEND_BUNDLE_TTL_SECONDS)
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
            try:
                code = _compile_version(version)
            except BackendCompileError as error:
                if error.details:  # the author's error, located; a platform failure is tried again next time
                    _errors[key] = error
                raise
            _shared_set(key, code)
        _write_atomically(path, code)
    _memory[key] = path
    return path


def compile_ahead(version: AppVersion) -> None:
    """The deploy's compile (a registered deploy build): the bundle lands in the shared cache before the first
    request, and the outcome is kept on the version. A version whose backend does not compile is still deployed:
    its UI and workflows work, and its API answers the located error (500 BACKEND_COMPILE_ERROR)."""
    if not (version.backend_entrypoint or version.compute_modules):
        return
    try:
        bundle_for(version=version)
    except BackendCompileError as error:
        version.backend_status = AppVersion.BackendStatus.FAILED
        version.backend_error = error.details or {"file": "", "line": 0, "column": 0, "message": error.message}
    else:
        version.backend_status, version.backend_error = AppVersion.BackendStatus.READY, None
    AppVersion.objects.filter(pk=version.pk).update(
        backend_status=version.backend_status, backend_error=version.backend_error
    )
