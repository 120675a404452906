// The runtime around one app's backend inside its Deno process. Bundled ahead of the app by compile.mjs:
//   Deno.args = [serveSocket, bridgeSocket]. The process holds no secret: the platform knows its bridge peer by
//   the kernel's word, and its compute calls by a header the gateway strips from every client request.
// Serves HTTP on the Unix socket the platform forwards to, turns thrown errors into BACKEND_ERROR replies
// the gateway understands, and routes the global fetch through the platform's egress bridge.
import { Hono } from "hono";
import { bridgedFetch, configureBridge } from "./bridge.js";
import { runCompute } from "./stage_compute.js";

const ERROR_HEADER = "x-stage-runtime-error";
const COMPUTE_HEADER = "x-stage-compute"; // the platform calling a compute function (owners' REST API)
const DRAIN_HEADER = "x-stage-drain"; // the platform retiring this sandbox: finish every request, then exit

async function computeCall(incoming) {
  let reply;
  try {
    const { kind, module, fn, args } = await incoming.json();
    reply = { ok: true, result: await runCompute(kind, module, fn, args) };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  return new Response(JSON.stringify(reply), { headers: { "content-type": "application/json" } });
}
const defaultHonoErrorHandler = new Hono().errorHandler;

function failure(code, error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new Response(JSON.stringify({ code, message }), {
    status: 500,
    headers: { "content-type": "application/json", [ERROR_HEADER]: code },
  });
}

function prepare(module) {
  const app = module?.default;
  if (!app || typeof app.fetch !== "function") {
    throw new TypeError("The entrypoint's default export must be a Hono app or an object with fetch(request).");
  }
  // Hono answers a thrown error with a bare 500 text; let it reach us so the gateway can report the message.
  if (app.errorHandler === defaultHonoErrorHandler && typeof app.onError === "function") {
    app.onError((error) => {
      if (error && typeof error.getResponse === "function") return error.getResponse();
      throw error;
    });
  }
  return app;
}

export function start(load) {
  const [servePath, bridgePath] = Deno.args;
  configureBridge(bridgePath);
  // The platform holds our stdin open; when it goes away (even SIGKILLed), so do we. (A warm sandbox's loader,
  // loader.js, watches it already.)
  if (!globalThis.__stageWatchingStdin) {
    (async () => {
      for await (const _ of Deno.stdin.readable) {
        // nothing is ever sent
      }
      Deno.exit(0);
    })();
  }
  Object.defineProperty(globalThis, "fetch", { value: bridgedFetch, writable: false, configurable: false });
  const ready = load().then(prepare);
  ready.catch(() => {}); // reported per request, not as an unhandled rejection
  // Started cold, the bundle serves its socket itself; loaded into a warm sandbox, it hands its handler to the
  // loader, which serves the socket already.
  const serve = globalThis.__stageServe ??
    ((handler) => Deno.serve({ path: servePath, onListen: () => console.log("stage-backend-ready") }, handler));
  const server = serve(
    async (incoming) => {
      if (incoming.headers.has(COMPUTE_HEADER)) return computeCall(incoming);
      if (incoming.headers.has(DRAIN_HEADER)) {
        setTimeout(() => server.shutdown().then(() => Deno.exit(0)), 0);
        return new Response("draining");
      }
      let app;
      try {
        app = await ready;
      } catch (error) {
        return failure("BACKEND_ERROR", error);
      }
      const url = new URL(incoming.url);
      const claimed = incoming.headers.get("host") || "";
      const host = /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(claimed) ? claimed : "localhost";
      const body = ["GET", "HEAD"].includes(incoming.method) ? undefined : await incoming.arrayBuffer();
      const request = new Request(`http://${host}${url.pathname}${url.search}`, {
        method: incoming.method,
        headers: incoming.headers,
        body,
      });
      try {
        const response = await app.fetch(request);
        if (!(response instanceof Response)) throw new TypeError("The backend's fetch did not return a Response.");
        return response;
      } catch (error) {
        return failure("BACKEND_ERROR", error);
      }
    },
  );
}
