// A warm sandbox: Deno started ahead of need, in a sandbox of its own, serving its socket before it knows which
// app it will run. Deno.args = [serveSocket, bridgeSocket, bundlePath]. When the platform hands it an app (the
// bundle written to bundlePath, then one request with the load header, which clients can never send: the gateway
// drops it), it imports the bundle, whose harness hands over its request handler (harness.js: __stageServe), and
// from then on it is that app's sandbox like any other; it is never given a second app.
const LOAD_HEADER = "x-stage-load";
const [servePath, , bundlePath] = Deno.args;

globalThis.__stageWatchingStdin = true;
(async () => {
  for await (const _ of Deno.stdin.readable) {
    // nothing is ever sent: the platform holds stdin open, and when it goes away so do we
  }
  Deno.exit(0);
})();

let handOver;
const handler = new Promise((resolve) => (handOver = resolve));
let loading = null;

const server = Deno.serve(
  { path: servePath, onListen: () => console.log("stage-backend-ready") },
  async (incoming) => {
    if (incoming.headers.has(LOAD_HEADER) && loading === null) {
      globalThis.__stageServe = (appHandler) => {
        handOver(appHandler);
        return server;
      };
      loading = import(`file://${bundlePath}`);
      try {
        await loading;
        return new Response("loaded");
      } catch (error) {
        return new Response(String(error), { status: 500 });
      }
    }
    return (await handler)(incoming);
  },
);
