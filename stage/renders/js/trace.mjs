// Trace positions in a built bundle back to the session's files, through the bundle's source map
// (@jridgewell/trace-mapping). Each stdin line: {"map": "<source map JSON>", "frames": [{"line": 1, "column": 0}]}
// (line 1-based, column 0-based, as a stack trace gives them less one); each stdout line:
// {"ok": true, "positions": [{"file": "/app/App.tsx", "line": 12, "column": 5, "lineText": "..."} or null]}, null
// for a position outside the session's files (React's, the platform's).
import { TraceMap, originalPositionFor, sourceContentFor } from "@jridgewell/trace-mapping";
import { serveLines } from "../../../core/js/line_server.mjs";

const SESSION_FILE = /^vfs:/;

function handle({ map, frames }) {
  const traced = new TraceMap(map);
  const positions = frames.map(({ line, column }) => {
    const found = originalPositionFor(traced, { line, column });
    if (!found.source || !SESSION_FILE.test(found.source)) return null;
    const content = sourceContentFor(traced, found.source);
    const lineText = content ? (content.split("\n")[found.line - 1] ?? null) : null;
    return { file: found.source.replace(SESSION_FILE, ""), line: found.line, column: found.column + 1, lineText };
  });
  return { ok: true, positions };
}

await serveLines(handle, (error) => ({ ok: false, error: String(error) }));
