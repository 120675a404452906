// @stage/utils on fake time: run by test_utils.py with Deno. Prints one JSON line of observations.
import { batchedMap, fetchWithRetry } from "../../../core/js/stage_utils.js";

const waits = [];
globalThis.setTimeout = (fn, ms) => {
  waits.push(ms);
  queueMicrotask(fn);
  return 0;
};
Math.random = () => 0.5;

function scripted(statuses) {
  const calls = [];
  globalThis.fetch = async (url, opts) => {
    calls.push({ url, method: opts?.method });
    return new Response(`attempt ${calls.length}`, { status: statuses[Math.min(calls.length - 1, statuses.length - 1)] });
  };
  return calls;
}

const out = {};
async function retry(name, statuses, maxRetries) {
  waits.length = 0;
  const calls = scripted(statuses);
  const response = await (maxRetries === undefined
    ? fetchWithRetry("https://api.example.com/x", { method: "POST" })
    : fetchWithRetry("https://api.example.com/x", { method: "POST" }, maxRetries));
  out[name] = { status: response.status, body: await response.text(), calls: calls.length, waits: [...waits], method: calls[0].method };
}

await retry("recovers", [503, 429, 200]);
await retry("exhausts_default", [500]);
await retry("exhausts_five", [502], 5);
await retry("no_retry_on_404", [404]);
await retry("no_retry_on_200", [200]);

// batchedMap: in-flight bound, order, first rejection
const realTimeout = (ms) => new Promise((r) => queueMicrotask(r));
let inFlight = 0;
let peak = 0;
const results = await batchedMap(
  Array.from({ length: 12 }, (_, i) => i),
  async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    for (let i = 0; i < (12 - n); i++) await realTimeout();
    inFlight--;
    return n * 10;
  },
  3,
);
out.batched = { results, peak };
let peakDefault = 0;
inFlight = 0;
await batchedMap(Array.from({ length: 20 }), async () => {
  inFlight++;
  peakDefault = Math.max(peakDefault, inFlight);
  await realTimeout();
  inFlight--;
});
out.batched.peakDefault = peakDefault;
const started = [];
try {
  await batchedMap([1, 2, 3, 4, 5, 6], async (n) => {
    started.push(n);
    await realTimeout();
    if (n === 2) throw new Error("item 2 failed");
    if (n === 3) throw new Error("item 3 failed");
    return n;
  }, 2);
  out.rejection = "resolved";
} catch (error) {
  out.rejection = error.message;
}
out.startedAfterFailure = started;
out.empty = await batchedMap([], async (x) => x);
console.log(JSON.stringify(out));
