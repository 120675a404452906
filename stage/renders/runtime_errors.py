"""A runtime error from an app's frame, located in the session's files: the positions of its stack in the bundle
traced back through the artifact's source map (js/trace.mjs, a warm Node driver started on the first error), so
the render state says `/app/components/Chart.tsx:12:5` and shows that line, not a position in the bundle."""

import logging
import re

from core.node import NodeDriver, NodeFailed
from stage.models import RenderArtifact
from stage.renders.esbuild import JS_DIR

logger = logging.getLogger(__name__)

# The frame runs the bundle as the script `stage-app.js` (its sourceURL), whose first line is the wrapper
# (templates/preview/frame.html): the bundle's line N is the script's line N + 1.
APP_SCRIPT = "stage-app.js"
WRAPPER_LINES = 1
FRAME = re.compile(rf"{re.escape(APP_SCRIPT)}:(\d+):(\d+)")
MAX_FRAMES = 20
MAX_SHOWN = 5
TRACE_TIMEOUT_SECONDS = 10

tracer = NodeDriver(JS_DIR / "trace.mjs", name="The source map reader")


def _traced(artifact: RenderArtifact, stack: str) -> list[dict]:
    frames = [
        {"line": int(line) - WRAPPER_LINES, "column": max(0, int(column) - 1)}
        for line, column in FRAME.findall(stack)[:MAX_FRAMES]
    ]
    if not frames or not artifact.source_map:
        return []
    try:
        answer = tracer.call({"map": artifact.source_map, "frames": frames}, timeout=TRACE_TIMEOUT_SECONDS)
    except NodeFailed:
        logger.warning("could not trace a runtime error through artifact %s", artifact, exc_info=True)
        return []
    if not answer.get("ok"):
        return []
    unique = []
    for position in answer["positions"]:
        if position is not None and position not in unique:
            unique.append(position)
    return unique[:MAX_SHOWN]


def runtime_error_located(*, artifact: RenderArtifact, message: str, stack: str) -> tuple[str, list[dict]]:
    """The error's text and its locations ({file, line, column, message, lineText}) in the session's files:

    Runtime error: Cannot read properties of undefined (reading 'map')
        at /app/components/Chart.tsx:12:5
            12 |   return data.map((row) => <Bar {...row} />);
               |          ^
        at /app/App.tsx:8:10
    """
    positions = _traced(artifact, stack)
    lines = [f"Runtime error: {message}"]
    for index, position in enumerate(positions):
        lines.append(f"    at {position['file']}:{position['line']}:{position['column']}")
        if index == 0 and position["lineText"] is not None:
            number = str(position["line"])
            lines.append(f"        {number} | {position['lineText']}")
            lines.append(f"        {' ' * len(number)} | {' ' * (position['column'] - 1)}^")
    locations = [{**position, "message": message} for position in positions]
    return "\n".join(lines), locations
