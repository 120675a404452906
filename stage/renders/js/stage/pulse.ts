// @stage/pulse: product analytics. track() never throws and never waits: events are sent in batches (every
// second, or at 50), and recorded for the app published from the session; a batch the platform refuses is
// reported once on the console.
import { call } from "./bridge";

const BATCH = 50;
let queue: { name: string; meta?: Record<string, unknown> }[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
let warned = false;

function flush(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  const events = queue.splice(0, BATCH);
  if (!events.length) return Promise.resolve();
  const sent = call("pulse.track", { events }).then(
    () => undefined,
    (error) => {
      if (!warned) console.warn(`@stage/pulse: events not recorded: ${error.message}`);
      warned = true;
    },
  );
  return queue.length ? sent.then(flush) : sent;
}

export const pulse = {
  track(name: string, meta?: Record<string, unknown>): void {
    if (typeof name !== "string" || !name) return;
    queue.push(meta === undefined ? { name } : { name, meta });
    if (queue.length >= BATCH) void flush();
    else if (!timer) timer = setTimeout(flush, 1000);
  },
  /** Send what is queued now; resolves once the platform has answered. */
  flush,
};

export default pulse;
