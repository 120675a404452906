// The page around an app's frame hands the frame the shared libraries it asks for (React, Radix, recharts, the
// shadcn/ui modules): fetched once from this page's origin, where the browser keeps them (the requests of a
// sandboxed frame, an opaque origin, are never cached), and remembered while the page lives.
(function () {
  var scripts = {};
  window.addEventListener("message", function (event) {
    var data = event.data, frame = event.source;
    if (!data || data.stage !== "need-shared" || !/^[0-9a-f]{64}$/.test(String(data.fingerprint))) return;
    var ours = Array.prototype.some.call(document.querySelectorAll("iframe"), function (f) { return f.contentWindow === frame; });
    if (!ours) return;
    var fingerprint = data.fingerprint;
    if (!scripts[fingerprint]) {
      scripts[fingerprint] = fetch("/__stage/shared/" + fingerprint + ".js")
        .then(function (r) { return r.ok ? r.text() : null; })
        .catch(function () { return null; });
    }
    scripts[fingerprint].then(function (code) {
      // "*": the frame's origin is opaque, so it has no name to target; the script is public.
      frame.postMessage({ stage: "shared", fingerprint: fingerprint, code: code }, "*");
    });
  });
})();
