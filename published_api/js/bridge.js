// The sandbox's only way out: JSON lines over one kept-alive Unix connection to the platform, many calls at once.
// Each call is {"id", "op", "args"}; its answer {"id", "ok": true, "result"} or {"id", "ok": false, "error"} carries
// the same id and may come back before the answers of calls made earlier. No secret travels on it: the platform
// knows which process is calling from the kernel (SO_PEERCRED), so there is nothing for app code to steal.
// A dropped connection is made again by the next call; a call whose line was written but not answered when the
// connection dropped fails (it may have run), one whose line could not be written is sent on the new connection.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const connect = Deno.connect;
const MAX_LINE = Math.floor((16 * 1024 * 1024 * 4) / 3) + 64 * 1024; // the platform's limit (bridge.py)
const channel = { path: "", link: null, nextId: 1 };

export function configureBridge(path) {
  channel.path = path;
}

// A full listen backlog answers EAGAIN (Deno: WouldBlock) at once; wait a little and try again.
async function connectWithRetry() {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect({ transport: "unix", path: channel.path });
    } catch (error) {
      if (!(error instanceof Deno.errors.WouldBlock) || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** attempt, 50)));
    }
  }
}

class Link {
  constructor(conn, opening) {
    this.conn = conn;
    this.opening = opening; // what channel.link holds while this link serves
    this.waiting = new Map(); // id -> { resolve, reject, sent }
    this.writing = Promise.resolve(); // lines are written one after another, never interleaved
    this.closed = false;
    this.read();
  }

  // Resolves with the answer; rejects with { sent, error }: a line that never left may go on another link.
  call(id, line) {
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, sent: false };
      this.waiting.set(id, waiter);
      this.writing = this.writing
        .then(async () => {
          if (this.closed) throw new Error("The connection to the platform is closed.");
          for (let written = 0; written < line.length; ) written += await this.conn.write(line.subarray(written));
          waiter.sent = true;
        })
        .catch((error) => {
          if (this.waiting.delete(id)) reject({ sent: false, error });
          this.close();
        });
    });
  }

  answer(text) {
    const reply = JSON.parse(text);
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    waiter.resolve(reply);
  }

  async read() {
    const buffer = new Uint8Array(64 * 1024);
    let parts = [];
    try {
      for (;;) {
        const n = await this.conn.read(buffer);
        if (n === null) break;
        let chunk = buffer.subarray(0, n);
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10)) {
          parts.push(chunk.subarray(0, at));
          this.answer(decoder.decode(concat(parts)));
          parts = [];
          chunk = chunk.subarray(at + 1);
        }
        if (chunk.length) parts.push(chunk.slice());
      }
    } catch {
      // a reset or an unreadable answer: the link is done
    }
    this.close();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    if (channel.link === this.opening) channel.link = null;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    const dropped = new Error("The connection to the platform dropped before the call was answered.");
    for (const { reject, sent } of this.waiting.values()) reject({ sent, error: dropped });
    this.waiting.clear();
  }
}

function link() {
  if (!channel.link) {
    const opening = connectWithRetry().then((conn) => new Link(conn, opening));
    opening.catch(() => channel.link === opening && (channel.link = null));
    channel.link = opening;
  }
  return channel.link;
}

export async function bridgeCall(op, args) {
  if (!channel.path) throw new Error("The Stage bridge is not available in this process.");
  const id = channel.nextId++;
  const line = encoder.encode(JSON.stringify({ id, op, args }) + "\n");
  if (line.length > MAX_LINE) throw new Error(`The ${op} call is too large for the bridge (${line.length} bytes).`);
  let reply;
  for (let attempt = 0; ; attempt++) {
    try {
      reply = await (await link()).call(id, line);
      break;
    } catch (failure) {
      if (failure?.sent !== false || attempt >= 2) throw failure?.error ?? failure;
    }
  }
  if (!reply.ok) throw new Error(reply.error?.message ?? "The platform refused the call.");
  return reply.result;
}

function concat(chunks) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

// Outbound fetch, through the platform's egress policy (the sandbox itself has no network).
export async function bridgedFetch(input, init) {
  const request = new Request(input, init);
  const body = ["GET", "HEAD"].includes(request.method) ? null : new Uint8Array(await request.arrayBuffer());
  let result;
  try {
    result = await bridgeCall("fetch", {
      url: request.url,
      method: request.method,
      headers: [...request.headers],
      body: body && body.length ? toBase64(body) : null,
    });
  } catch (error) {
    throw new TypeError(`fetch failed: ${error.message}`);
  }
  const nullBody = [101, 204, 205, 304].includes(result.status) || request.method === "HEAD";
  return new Response(nullBody ? null : fromBase64(result.body), { status: result.status, headers: result.headers });
}
