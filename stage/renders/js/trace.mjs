// Trace positions in a built bundle back to the session's files, through the bundle's source map
// (@jridgewell/trace-mapping). Each stdin line: {"key": "<artifact hash>", "map"?: "<source map JSON>",
// "frames": [{"line": 1, "column": 0}]} (line 1-based, column 0-based, as a stack trace gives them less one).
// Parsed maps are kept by key (the last MAX_KEPT), so a map crosses the pipe once: without "map", an unknown key
// is answered {"ok": false, "unknown": true} and the caller sends it. Each stdout line:
// {"ok": true, "positions": [{"file": "/app/App.tsx", "line": 12, "column": 5, "lineText": "..."} or null]}, null
// for a position outside the session's files (React's, the platform's). Only the first position carries its line.
import { TraceMap, originalPositionFor, sourceContentFor } from "@jridgewell/trace-mapping";
import { serveLines } from "../../../core/js/line_server.mjs";

const SESSION_FILE = /^vfs:/;
const MAX_KEPT = 8;
const kept = new Map();

function traceMap(key, map) {
  if (map !== undefined) {
    kept.delete(key);
    kept.set(key, new TraceMap(map));
    while (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value);
  }
  return kept.get(key);
}

function handle({ key, map, frames }) {
  const traced = traceMap(key, map);
  if (!traced) return { ok: false, unknown: true };
  let first = true;
  const positions = frames.map(({ line, column }) => {
    const found = originalPositionFor(traced, { line, column });
    if (!found.source || !SESSION_FILE.test(found.source)) return null;
    let lineText = null;
    if (first) {
      const content = sourceContentFor(traced, found.source);
      lineText = content ? (content.split("\n")[found.line - 1] ?? null) : null;
      first = false;
    }
    return { file: found.source.replace(SESSION_FILE, ""), line: found.line, column: found.column + 1, lineText };
  });
  return { ok: true, positions };
}

await serveLines(handle, (error) => ({ ok: false, error: String(error) }));
