// The Node side of core/node.py: a warm process that reads one JSON request per stdin line and writes one JSON
// answer per stdout line, in order, for as long as stdin stays open. `handle` may be async; when it throws (or
// the line is not JSON), `failed(error)` gives the answer instead, so every request gets exactly one line.
import { createInterface } from "node:readline";

export async function serveLines(handle, failed) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let answer;
    try {
      answer = await handle(JSON.parse(line));
    } catch (error) {
      answer = failed(error);
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}
