"""Run esbuild over a session's files held in memory, through the warm Node driver js/build.mjs (core/node.py).

A warm build of a small React app takes about 60 ms. A build that overruns STAGE_RENDER_TIMEOUT_SECONDS kills
the driver and fails the render.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.node import LINE_SERVER, NodeDriver, NodeFailed, fingerprint

JS_DIR = Path(__file__).resolve().parent / "js"
BUILD_SCRIPT = JS_DIR / "build.mjs"

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
    "react-hook-form",  # with @/components/ui/form, as shadcn/ui's forms are written
    "clsx",
    "tailwind-merge",
    "class-variance-authority",
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
    """What besides the files decides an artifact: the build driver, the runtime, the Tailwind theme, the shadcn/ui
    modules the platform provides and the locked npm packages."""
    drivers = [JS_DIR / name for name in ("build.mjs", "runtime.jsx", "tailwind.mjs", "theme.css")]
    platform_modules = [*sorted((JS_DIR / "ui").glob("*.tsx")), *sorted((JS_DIR / "lib").glob("*.ts"))]
    return fingerprint((*drivers, *platform_modules, LINE_SERVER))


def _platform_error(message: str) -> dict:
    return {"file": None, "line": None, "column": None, "message": message}


server = NodeDriver(BUILD_SCRIPT, name="The build")


def build_bundle(*, entry: str, files: dict[str, str], timeout: float | None = None) -> BuildOutput:
    """Bundle `entry` and what it imports from `files`; raise BuildFailed with located errors."""
    request = {"entry": entry, "files": files, "allowed": ALLOWED_IMPORTS}
    try:
        answer = server.call(request, timeout=settings.STAGE_RENDER_TIMEOUT_SECONDS if timeout is None else timeout)
    except NodeFailed as exc:
        raise BuildFailed([_platform_error(str(exc))]) from exc
    if not answer["ok"]:
        raise BuildFailed(answer["errors"])
    return BuildOutput(js=answer["js"], css=answer["css"])
