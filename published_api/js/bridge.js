// The sandbox's only way out: one JSON line per call over the platform's Unix socket. No secret travels on it:
// the platform knows which process is calling from the kernel (SO_PEERCRED), so there is nothing for app code to
// steal. The platform answers one JSON line: {"ok": true, "result": ...} or {"ok": false, "error": ...}.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const channel = { path: "" };
const connect = Deno.connect;

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

export async function bridgeCall(op, args) {
  if (!channel.path) throw new Error("The Stage bridge is not available in this process.");
  const conn = await connectWithRetry();
  try {
    const line = encoder.encode(JSON.stringify({ op, args }) + "\n");
    for (let written = 0; written < line.length; ) written += await conn.write(line.subarray(written));
    const chunks = [];
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
      if (buffer[n - 1] === 10) break;
    }
    const reply = JSON.parse(decoder.decode(concat(chunks)));
    if (!reply.ok) throw new Error(reply.error?.message ?? "The platform refused the call.");
    return reply.result;
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

function concat(chunks) {
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
