"""Run esbuild over a session's files held in memory, through the warm Node driver js/build.mjs (core/node.py).

Apps are built against the shared libraries (`build_shared`: React, Radix, recharts and the platform's shadcn/ui
modules, one script per builder version, stage/renders/shared.py), so a warm build bundles only the app's own
modules and icons: some 50 ms. A build that overruns STAGE_RENDER_TIMEOUT_SECONDS kills the driver and fails the
render.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.node import LINE_SERVER, STAGE_UTILS, NodeDriver, NodeFailed, fingerprint

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
# Of those, the ones in the shared libraries (with every @/components/ui module and @/lib/utils); the rest are
# bundled per app, only what it uses (lucide-react's icons, lodash's single functions).
SHARED_IMPORTS = tuple(spec for spec in ALLOWED_IMPORTS if not spec.endswith("/*") and spec != "lucide-react")
SHARED_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class BuildOutput:
    js: str
    css: str
    source_map: str = ""  # JSON, back to the session's files, for runtime errors


@dataclass(frozen=True)
class SharedOutput:
    js: str
    exports: dict[str, list[str]]  # each shared module's export names


class BuildFailed(Exception):
    """The app does not build: `errors` are [{file, line, column, message, lineText}] with 1-based line and
    column, and the text of that line when there is one."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(format_errors(errors))


def format_errors(errors: list[dict]) -> str:
    """Each error as `file:line:column: message`, then the line it points at with a caret under the column:

    /app/App.tsx:1:19: Import "axios" is not available in Stage (imported by /app/App.tsx)
        1 | import axios from 'axios';
          |                   ^
    """
    lines = []
    for error in errors:
        where = error.get("file") or ""
        if where and error.get("line"):
            where = f"{where}:{error['line']}:{error['column']}"
        lines.append(f"{where}: {error['message']}" if where else error["message"])
        if error.get("lineText") is not None and error.get("line"):
            number = str(error["line"])
            lines.append(f"    {number} | {error['lineText']}")
            lines.append(f"    {' ' * len(number)} | {' ' * max(0, (error.get('column') or 1) - 1)}^")
    return "\n".join(lines)


def builder_fingerprint() -> str:
    """What besides the files decides an artifact: the build driver, the runtime, the Tailwind theme, the shadcn/ui
    modules and the browser @stage/* modules the platform provides, and the locked npm packages."""
    drivers = [JS_DIR / name for name in ("build.mjs", "runtime.jsx", "tailwind.mjs", "theme.css")]
    platform_modules = [*sorted((JS_DIR / "ui").glob("*.tsx")), *sorted((JS_DIR / "lib").glob("*.ts"))]
    stage_modules = [*sorted((JS_DIR / "stage").glob("*.ts")), STAGE_UTILS]
    return fingerprint((*drivers, *platform_modules, *stage_modules, LINE_SERVER))


def _platform_error(message: str) -> dict:
    return {"file": None, "line": None, "column": None, "message": message, "lineText": None}


server = NodeDriver(BUILD_SCRIPT, name="The build")


def _call(request: dict, timeout: float) -> dict:
    try:
        answer = server.call(request, timeout=timeout)
    except NodeFailed as exc:
        raise BuildFailed([_platform_error(str(exc))]) from exc
    if not answer["ok"]:
        raise BuildFailed(answer["errors"])
    return answer


def build_bundle(
    *,
    entry: str,
    files: dict[str, str],
    binary: dict[str, str] | None = None,
    shared: dict[str, list[str]] | None = None,
    timeout: float | None = None,
) -> BuildOutput:
    """Bundle `entry` and what it imports from `files` (and from `binary`, path -> base64: images, fonts, imported
    as data URLs), reading the modules `shared` names (a SharedOutput's exports) from the shared script, or
    bundling everything when it is None; raise BuildFailed with located errors."""
    request = {"entry": entry, "files": files, "binary": binary or {}, "allowed": ALLOWED_IMPORTS}
    request["exports"] = shared or {}
    answer = _call(request, settings.STAGE_RENDER_TIMEOUT_SECONDS if timeout is None else timeout)
    return BuildOutput(js=answer["js"], css=answer["css"], source_map=answer.get("map", ""))


def build_shared() -> SharedOutput:
    """The shared libraries' script (about 1.4 MB, some 2 s to build) and what each module exports."""
    answer = _call({"shared": list(SHARED_IMPORTS)}, SHARED_TIMEOUT_SECONDS)
    return SharedOutput(js=answer["js"], exports=answer["exports"])
