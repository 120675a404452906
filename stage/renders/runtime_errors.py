"""A runtime error from an app's frame, located in the session's files: the positions of its stack in the bundle
traced back through the artifact's source map (js/trace.mjs, a warm Node driver started on the first error), so
the render state says `/app/components/Chart.tsx:12:5` and shows that line, not a position in the bundle.

Anyone holding a session id may report, so tracing is bounded: one trace at a time per process (a report that
finds the reader busy is recorded untraced rather than queued), a map crosses to the reader once (it keeps the last
few parsed, by artifact), the map is read from the database only when the reader lacks it, at most MAX_FRAMES
positions, and only the first location carries its line of code."""

import logging
import re

from core.db import release_connection
from core.node import NodeDriver, NodeFailed
from stage.models import RenderArtifact
from stage.renders.esbuild import JS_DIR

logger = logging.getLogger(__name__)

# The frame runs the bundle as the script `stage-app.js` (its sourceURL), whose first line is the wrapper
# (templates/preview/frame.html): the bundle's line N is the script's line N + 1.
APP_SCRIPT = "stage-app.js"
WRAPPER_LINES = 1
FRAME = re.compile(rf"{re.escape(APP_SCRIPT)}:(\d{{1,9}}):(\d{{1,9}})")
MAX_FRAMES = 20
MAX_SHOWN = 5
TRACE_TIMEOUT_SECONDS = 10
BUSY_WAIT_SECONDS = 0.05

tracer = NodeDriver(JS_DIR / "trace.mjs", name="The source map reader")


def _trace(request: dict) -> dict:
    return tracer.call(request, timeout=TRACE_TIMEOUT_SECONDS, wait=BUSY_WAIT_SECONDS)


def _traced(artifact_id: int, stack: str) -> list[dict]:
    frames = [
        {"line": int(line) - WRAPPER_LINES, "column": max(0, int(column) - 1)}
        for line, column in FRAME.findall(stack)[:MAX_FRAMES]
    ]
    if not frames:
        return []
    content_hash = RenderArtifact.objects.values_list("content_hash", flat=True).get(pk=artifact_id)
    release_connection()  # a trace may wait on the reader: hold no pooled connection meanwhile
    try:
        answer = _trace({"key": content_hash, "frames": frames})
        if answer.get("unknown"):
            source_map = RenderArtifact.objects.values_list("source_map", flat=True).get(pk=artifact_id)
            release_connection()
            if not source_map:
                return []
            answer = _trace({"key": content_hash, "map": source_map, "frames": frames})
    except NodeFailed:
        logger.info(
            "runtime error of artifact %s recorded untraced (the source map reader was busy or failed)",
            content_hash[:12],
        )
        return []
    if not answer.get("ok"):
        return []
    unique = []
    for position in answer["positions"]:
        if position is not None and position not in unique:
            unique.append(position)
    return unique[:MAX_SHOWN]


def runtime_error_located(*, artifact_id: int, message: str, stack: str) -> tuple[str, list[dict]]:
    """The error's text and its locations ({file, line, column, message, lineText}) in the session's files:

    Runtime error: Cannot read properties of undefined (reading 'map')
        at /app/components/Chart.tsx:12:5
            12 |   return data.map((row) => <Bar {...row} />);
               |          ^
        at /app/App.tsx:8:10
    """
    positions = _traced(artifact_id, stack)
    lines = [f"Runtime error: {message}"]
    for index, position in enumerate(positions):
        lines.append(f"    at {position['file']}:{position['line']}:{position['column']}")
        if index == 0 and position["lineText"] is not None:
            number = str(position["line"])
            lines.append(f"        {number} | {position['lineText']}")
            lines.append(f"        {' ' * len(number)} | {' ' * (position['column'] - 1)}^")
    locations = [{**position, "message": message} for position in positions]
    return "\n".join(lines), locations
