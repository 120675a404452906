// Bundle a session's React app with esbuild from a virtual file system.
//
// Each stdin line:  {"entry": "/app/App.tsx", "files": {"/app/App.tsx": "...", ...}, "allowed": ["react", "lodash/*"]}
// Each stdout line: {"ok": true, "js": "...", "css": "..."} or {"ok": false, "errors": [{file, line, column, message}]}
// Nothing is read from or written to disk except the platform's own node_modules and runtime.jsx, and no
// network is touched: user files live only in memory, bare imports outside the allowed list fail the build.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { serveLines } from "../../../core/js/line_server.mjs";
import { tailwindCss } from "./tailwind.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../..");
const RUNTIME = path.join(HERE, "runtime.jsx");
const ENTRY_NS = "stage-entry";
const VFS = "vfs";
const EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".mjs", ".json", ".css"];
const LOADERS = {
  ".ts": "ts", ".tsx": "tsx", ".js": "jsx", ".jsx": "jsx", ".mjs": "jsx", ".json": "json", ".css": "css",
  ".svg": "dataurl", ".png": "dataurl", ".jpg": "dataurl", ".jpeg": "dataurl", ".gif": "dataurl",
  ".webp": "dataurl", ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".txt": "text", ".md": "text",
};
export const DEFAULT_EXPORT_MESSAGE = "Entry point must default-export a React component";

// shadcn/ui's modules, ours: `@/components/ui/<name>` and `cn` from `@/lib/utils` (stage/renders/js/ui, lib).
const UI = new Set(readdirSync(path.join(HERE, "ui")).filter((f) => f.endsWith(".tsx") && !f.startsWith("_")).map((f) => f.slice(0, -4)));
const PLATFORM_MODULES_HINT = `available: @/lib/utils and @/components/ui/{${[...UI].sort().join(",")}}`;
const PLATFORM_DIRS = [path.join(HERE, "ui"), path.join(HERE, "lib")];

function platformModule(spec) {
  if (spec === "@/lib/utils") return path.join(HERE, "lib", "utils.ts");
  const name = spec.startsWith("@/components/ui/") ? spec.slice("@/components/ui/".length) : null;
  return name !== null && UI.has(name) ? path.join(HERE, "ui", `${name}.tsx`) : null;
}

function packageName(spec) {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function loaderFor(file) {
  if (file.endsWith(".module.css")) return "local-css";
  return LOADERS[path.posix.extname(file).toLowerCase()];
}

function vfsPlugin({ entry, files, allowed }) {
  const has = (p) => Object.prototype.hasOwnProperty.call(files, p);
  const lookup = (base) => {
    if (has(base)) return base;
    for (const ext of EXTENSIONS) if (has(base + ext)) return base + ext;
    for (const ext of EXTENSIONS) if (has(`${base}/index${ext}`)) return `${base}/index${ext}`;
    return null;
  };
  return {
    name: "stage-vfs",
    setup(build) {
      build.onResolve({ filter: /^stage:entry$/ }, () => ({ path: "entry", namespace: ENTRY_NS }));
      build.onLoad({ filter: /.*/, namespace: ENTRY_NS }, () => ({
        contents: `import Entry from ${JSON.stringify(entry)};\nimport { mount } from ${JSON.stringify(RUNTIME)};\nmount(Entry);\n`,
        loader: "js",
      }));
      const resolveFromUser = async (args) => {
        const spec = args.path;
        if (/^(data|https?):/.test(spec)) {
          if (spec.startsWith("data:")) return { external: true };
          return { errors: [{ text: `Network import "${spec}" is not available in Stage (imported by ${args.importer})` }] };
        }
        if (args.namespace === ENTRY_NS && spec === RUNTIME) return { path: RUNTIME };
        const clean = spec.split(/[?#]/)[0];
        if (clean.startsWith("/") || clean.startsWith("./") || clean.startsWith("../") || clean === "." || clean === "..") {
          const from = args.namespace === VFS ? path.posix.dirname(args.importer) : "/";
          const target = path.posix.normalize(clean.startsWith("/") ? clean : path.posix.join(from, clean));
          const found = lookup(target.replace(/\/$/, ""));
          if (found) return { path: found, namespace: VFS };
          const where = args.namespace === VFS ? ` (imported by ${args.importer})` : "";
          return { errors: [{ text: `Could not resolve "${spec}"${where}` }] };
        }
        if (clean.startsWith("@/")) {
          const found = platformModule(clean);
          if (found) return { path: found };
          return { errors: [{ text: `Import "${clean}" is not available in Stage (imported by ${args.importer}); ${PLATFORM_MODULES_HINT}` }] };
        }
        const pkg = packageName(clean);
        if (allowed.includes(clean) || (clean !== pkg && allowed.includes(`${pkg}/*`))) {
          const result = await build.resolve(clean, { kind: args.kind, resolveDir: ROOT });
          if (result.errors.length === 0) return { path: result.path, sideEffects: result.sideEffects };
        }
        return { errors: [{ text: `Import "${clean}" is not available in Stage (imported by ${args.importer})` }] };
      };
      build.onResolve({ filter: /.*/, namespace: VFS }, resolveFromUser);
      build.onResolve({ filter: /.*/, namespace: ENTRY_NS }, resolveFromUser);
      build.onLoad({ filter: /.*/, namespace: VFS }, (args) => {
        const loader = loaderFor(args.path);
        if (!loader) return { errors: [{ text: `Cannot import ${args.path}: unsupported file type` }] };
        return { contents: files[args.path], loader };
      });
    },
  };
}

function locate(message, entry) {
  const loc = message.location;
  let file = loc ? loc.file.replace(/^(vfs|stage-entry):/, "") : null;
  let text = message.text;
  let line = loc ? loc.line : null;
  let column = loc ? loc.column + 1 : null;
  if (file === "entry") {
    // The wrapper is ours: point its failures at the user's entry file.
    if (/No matching export .* for import "default"/.test(text)) text = DEFAULT_EXPORT_MESSAGE;
    else if (/^Could not resolve/.test(text)) text = `Entry point ${entry} not found in the session`;
    file = entry;
    line = null;
    column = null;
  }
  return { file, line, column, message: text };
}

// The platform's own components a build bundled: their classes are compiled with the session's.
const platformSources = new Map();
function platformSourcesUsed(metafile) {
  const used = [];
  for (const input of Object.keys(metafile.inputs)) {
    const file = path.resolve(ROOT, input);
    if (!PLATFORM_DIRS.some((dir) => file.startsWith(dir + path.sep))) continue;
    if (!platformSources.has(file)) platformSources.set(file, readFileSync(file, "utf8"));
    used.push({ content: platformSources.get(file), extension: path.extname(file).slice(1) });
  }
  return used;
}

async function handle(input) {
  try {
    const result = await esbuild.build({
      entryPoints: ["stage:entry"],
      bundle: true,
      write: false,
      outdir: "/stage-out",
      format: "iife",
      platform: "browser",
      target: ["es2020"],
      jsx: "automatic",
      minify: true,
      charset: "utf8",
      legalComments: "none",
      logLevel: "silent",
      absWorkingDir: ROOT,
      metafile: true,
      define: { "process.env.NODE_ENV": '"production"' },
      plugins: [vfsPlugin(input)],
    });
    const out = { ok: true, js: "", css: "" };
    for (const file of result.outputFiles) {
      if (file.path.endsWith(".js")) out.js = file.text;
      else if (file.path.endsWith(".css")) out.css = file.text;
    }
    // Tailwind first, so the app's own CSS (equal specificity, later) wins where both set something.
    const tailwind = await tailwindCss(input.files, platformSourcesUsed(result.metafile));
    if (tailwind) out.css = out.css ? `${tailwind}\n${out.css}` : tailwind;
    return out;
  } catch (err) {
    if (!err.errors) return { ok: false, errors: [{ file: null, line: null, column: null, message: `Build crashed: ${err}` }] };
    return { ok: false, errors: err.errors.map((m) => locate(m, input.entry)) };
  }
}

// A warm process: one build request per stdin line, one answer per stdout line.
await serveLines(handle, (err) => ({
  ok: false,
  errors: [{ file: null, line: null, column: null, message: `Bad build request: ${err}` }],
}));
