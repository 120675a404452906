// The page around an app's frame: the frame's link to the platform. It hands the frame
// - the shared libraries it asks for (React, Radix, recharts, the shadcn/ui modules), fetched once from this
//   page's origin, where the browser keeps them (the requests of a sandboxed frame, an opaque origin, are never
//   cached), with what the app starts from: the session's live state and the app it belongs to;
// - the answers to the browser @stage/* modules' calls, made to this page's live endpoint for the session;
// - the session's live state again whenever it changes, once the app watches it: when the page's event stream says
//   the live revision moved (a "stage-live" event), or every 500 ms where there is no event stream.
// Only this page's own frames are answered. Its settings are the JSON of #stage-host: {liveUrl, app, reason}.
(function () {
  var hostElement = document.getElementById("stage-host");
  var host = hostElement ? JSON.parse(hostElement.textContent) : {};
  var scripts = {};
  var revision = -1, watched = null, polling = false;

  function ours(source) {
    return Array.prototype.some.call(document.querySelectorAll("iframe"), function (f) { return f.contentWindow === source; });
  }
  function getJson(url, options) {
    return fetch(url, options).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, retry: r.headers.get("Retry-After"), body: body }; });
    });
  }
  function snapshot() {
    if (!host.liveUrl) return Promise.resolve(null);
    return getJson(host.liveUrl, { cache: "no-store" })
      .then(function (answer) { return answer.body.success ? answer.body.data : null; })
      .catch(function () { return null; });
  }
  function seen(live) {
    if (live && typeof live.revision === "number") revision = Math.max(revision, live.revision);
    return live;
  }
  function shared(frame, fingerprint) {
    // a page shows one app at a time: a frame asking for many different builds is not one of ours behaving
    if (!scripts[fingerprint] && Object.keys(scripts).length >= 4) return;
    if (!scripts[fingerprint]) {
      scripts[fingerprint] = fetch("/__stage/shared/" + fingerprint + ".js")
        .then(function (r) { return r.ok ? r.text() : null; })
        .catch(function () { return null; });
    }
    Promise.all([scripts[fingerprint], snapshot()]).then(function (got) {
      var boot = { app: host.app || null, live: seen(got[1]), reason: host.reason || null };
      // "*": the frame's origin is opaque, so it has no name to target; nothing secret is in the message.
      frame.postMessage({ stage: "shared", fingerprint: fingerprint, code: got[0], boot: boot }, "*");
    });
  }
  function call(frame, data) {
    function answer(ok, payload, error, live) {
      frame.postMessage({ stage: "result", id: data.id, ok: ok, data: payload, error: error, live: seen(live) }, "*");
    }
    if (!host.liveUrl) return answer(false, null, host.reason || "this page does not serve the @stage modules", null);
    var body = Object.assign({}, data.params || {}, { op: String(data.op) });
    getJson(host.liveUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (got) {
        if (got.body.success) return answer(true, got.body.data, null, got.body.data && got.body.data.live);
        var error = (got.body.error && got.body.error.message) || "The call failed";
        snapshot().then(function (live) { answer(false, null, error, live); });
      })
      .catch(function () { answer(false, null, "The platform could not be reached", null); });
  }
  function poll() {
    getJson(host.liveUrl + "?since=" + revision, { cache: "no-store" })
      .then(function (got) {
        var data = got.body.success ? got.body.data : null;
        if (data && data.kv && data.revision > revision) watched.postMessage({ stage: "live", live: seen(data) }, "*");
        setTimeout(poll, got.status === 429 ? 1000 * (Number(got.retry) || 5) : 500);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  window.addEventListener("message", function (event) {
    var data = event.data, frame = event.source;
    if (!data || !ours(frame)) return;
    if (data.stage === "need-shared" && /^[0-9a-f]{64}$/.test(String(data.fingerprint))) shared(frame, data.fingerprint);
    else if (data.stage === "call" && typeof data.id === "number") call(frame, data);
    else if (data.stage === "watch" && host.liveUrl) {
      watched = frame;
      if (!polling && !window.EventSource) { polling = true; poll(); }
    }
  });
  document.addEventListener("stage-live", function (event) {
    if (!watched || !(event.detail > revision)) return;
    snapshot().then(function (live) {
      if (live && live.revision > revision) watched.postMessage({ stage: "live", live: seen(live) }, "*");
    });
  });
})();
