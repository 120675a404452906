// The frame's side of the bridge to the page around it (templates/preview/_frame_host.js): the browser @stage/*
// modules call the platform through it, and it keeps the session's live state (key-value store, live data,
// messages) that the page handed over before the app started and pushes whenever it changes. The frame is an
// opaque origin with no network of its own: everything goes by postMessage to its parent, and only its parent's
// messages are heard.

export type Message = { id: number; text: string; sender: string; createdAt: number };
export type Live = { revision: number; kv: Record<string, unknown>; liveData: unknown; messages: Message[] };
export type AppInfo = { sid: string; name: string; channel: string | null };

const boot = ((window as any).__stageBoot || {}) as { live?: Live; app?: AppInfo | null; reason?: string };
const framed = window.parent !== window;
let live: Live = boot.live || { revision: 0, kv: {}, liveData: null, messages: [] };
const listeners = new Set<() => void>();
const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
let nextId = 1;
let watching = false;

export const app: AppInfo | null = boot.app || null;

/** Why the platform cannot be reached from here, or null when it can. */
export function unavailable(): string | null {
  if (!framed) return "the app is not inside a Stage page (opened on its own)";
  if (!boot.live) return boot.reason || "this page does not serve the @stage modules";
  return null;
}

export function current(): Live {
  return live;
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function replace(next: Live) {
  if (!next || typeof next.revision !== "number" || next.revision < live.revision) return;
  live = next;
  for (const listener of [...listeners]) listener();
}

/** A change made here before the server has it (a kv write reads back at once). */
export function optimistic(change: (draft: Live) => Live) {
  live = change(live);
  for (const listener of [...listeners]) listener();
}

/** Ask the page to push changes others make (another viewer, the CLI through the Convex endpoint). */
export function watch() {
  if (watching || unavailable()) return;
  watching = true;
  parent.postMessage({ stage: "watch" }, "*");
}

export function call<T = any>(op: string, params: Record<string, unknown> = {}): Promise<T> {
  const why = unavailable();
  if (why) return Promise.reject(new Error(`@stage: ${op} is not available: ${why}`));
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    parent.postMessage({ stage: "call", id, op, params }, "*");
  });
}

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !event.data) return;
  const data = event.data;
  if (data.stage === "live") {
    replace(data.live);
  } else if (data.stage === "result" && pending.has(data.id)) {
    const { resolve, reject } = pending.get(data.id)!;
    pending.delete(data.id);
    if (data.live) {
      live = { ...live, revision: -1 }; // the server's word replaces anything optimistic
      replace(data.live);
    }
    if (data.ok) resolve(data.data);
    else reject(new Error(String(data.error || "The call failed")));
  }
});

/** A deep copy of a JSON value, so an app never mutates the shared state by accident. */
export function copy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The value as JSON would carry it; TypeError for what JSON cannot hold. */
export function asJson(value: unknown, what: string): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${what} must be JSON: ${error}`);
  }
  if (text === undefined) throw new TypeError(`${what} must be JSON (got ${typeof value})`);
  return JSON.parse(text);
}
