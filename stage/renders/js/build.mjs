// Bundle a session's React app with esbuild from a virtual file system.
//
// Two kinds of stdin line:
//   {"shared": ["react", "recharts", ...]}: the shared libraries, built once per builder version: these packages
//     and every platform module (@/components/ui/*, @/lib/utils) as one script that sets window.__stageShared.
//     Answer: {"ok": true, "js": "...", "exports": {"react": ["default", "useState", ...], ...}}.
//   {"entry": "/app/App.tsx", "files": {...}, "binary": {path: base64}, "allowed": ["react", "lodash/*"],
//    "exports": {<the shared build's>}}: (binary files import as data URLs: images, fonts, media)
//     one app, its imports of shared modules read from window.__stageShared (so React, Radix, recharts and the
//     components are neither rebuilt nor resent per render).
//     Answer: {"ok": true, "js": "...", "css": "..."} or {"ok": false, "errors": [{file, line, column, message}]}.
// Nothing is read from or written to disk except the platform's own node_modules and runtime.jsx, and no
// network is touched: user files live only in memory, bare imports outside the allowed list fail the build.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import * as esbuild from "esbuild";
import { serveLines } from "../../../core/js/line_server.mjs";
import { tailwindCss } from "./tailwind.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../..");
const RUNTIME = path.join(HERE, "runtime.jsx");
const ENTRY_NS = "stage-entry";
const VFS = "vfs";
const SHARED_NS = "stage-shared";
const SHARED_GLOBAL = "__stageShared";
const EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".mjs", ".json", ".css"];
const LOADERS = {
  ".ts": "ts", ".tsx": "tsx", ".js": "jsx", ".jsx": "jsx", ".mjs": "jsx", ".json": "json", ".css": "css",
  ".svg": "dataurl", ".png": "dataurl", ".jpg": "dataurl", ".jpeg": "dataurl", ".gif": "dataurl",
  ".webp": "dataurl", ".avif": "dataurl", ".ico": "dataurl", ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl",
  ".otf": "dataurl", ".mp3": "dataurl", ".wav": "dataurl", ".mp4": "dataurl", ".webm": "dataurl", ".txt": "text", ".md": "text",
};
export const DEFAULT_EXPORT_MESSAGE = "Entry point must default-export a React component";

// shadcn/ui's modules, ours: `@/components/ui/<name>` and `cn` from `@/lib/utils` (stage/renders/js/ui, lib).
const UI = new Set(readdirSync(path.join(HERE, "ui")).filter((f) => f.endsWith(".tsx") && !f.startsWith("_")).map((f) => f.slice(0, -4)));
const PLATFORM_MODULES_HINT = `available: @/lib/utils and @/components/ui/{${[...UI].sort().join(",")}}`;
const PLATFORM_SPECS = ["@/lib/utils", ...[...UI].sort().map((name) => `@/components/ui/${name}`)];
// The browser @stage/* modules (stage/renders/js/stage, and @stage/utils shared with backends): bundled per app,
// since they hold the app's own live state.
const STAGE_MODULES = {
  ...Object.fromEntries(
    ["kv", "convex", "app", "pulse", "ledger", "inference", "google"].map((name) => [`@stage/${name}`, path.join(HERE, "stage", `${name}.ts`)]),
  ),
  "@stage/utils": path.join(ROOT, "core", "js", "stage_utils.js"),
};
const STAGE_MODULES_HINT = `available: ${Object.keys(STAGE_MODULES).sort().join(", ")}`;

function platformModule(spec) {
  if (spec === "@/lib/utils") return path.join(HERE, "lib", "utils.ts");
  const name = spec.startsWith("@/components/ui/") ? spec.slice("@/components/ui/".length) : null;
  return name !== null && UI.has(name) ? path.join(HERE, "ui", `${name}.tsx`) : null;
}

// Each platform module's source and those of the platform files it imports (its helpers, other components), read
// once: their classes are compiled with the session's when an app imports the module.
const platformSources = new Map();
function platformFiles(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, "utf8");
  platformSources.set(file, { content: source, extension: path.extname(file).slice(1) });
  for (const [, spec] of source.matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
    const base = path.resolve(path.dirname(file), spec);
    const found = [".tsx", ".ts"].map((ext) => base + ext).find((candidate) => {
      try { return readFileSync(candidate) && true; } catch { return false; }
    });
    if (found) platformFiles(found, seen);
  }
  return seen;
}
const PLATFORM_CLOSURE = new Map(PLATFORM_SPECS.map((spec) => [spec, [...platformFiles(platformModule(spec))]]));

// lucide-react's index re-exports ~1,600 icon modules, and parsing them all costs a build some 300 ms. An app's
// imports from it are read from its files, and each icon it names is bundled from its own module; an import this
// cannot read (a namespace import, a re-export of everything, a dynamic import) gets the whole index.
const LUCIDE_INDEX = path.join(ROOT, "node_modules/lucide-react/dist/esm/lucide-react.mjs");
const LUCIDE_NS = "stage-icons";
const LUCIDE = new Map();
for (const [, names, file] of readFileSync(LUCIDE_INDEX, "utf8").matchAll(/export \{([^}]*)\} from '([^']+)';/g)) {
  for (const part of names.split(",")) {
    const [imported, exported = imported] = part.trim().split(/\s+as\s+/);
    LUCIDE.set(exported.trim(), { imported: imported.trim(), file: path.resolve(path.dirname(LUCIDE_INDEX), file) });
  }
}
const LUCIDE_IMPORT = /(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']lucide-react["']/g;

// The names an app's files import from lucide-react, or null when some import cannot be read that way.
function lucideNames(files) {
  const names = new Set();
  for (const [file, content] of Object.entries(files)) {
    if (!/\.(tsx|ts|jsx|js|mjs)$/.test(file) || !content.includes("lucide-react")) continue;
    if (/import\s*\(\s*["']lucide-react["']/.test(content)) return null;
    for (const [, , typeOnly, clause] of content.matchAll(LUCIDE_IMPORT)) {
      if (typeOnly) continue;
      const braces = clause.match(/\{([^}]*)\}/);
      if (!braces || clause.includes("*")) return null;
      for (const part of braces[1].split(",")) {
        const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0].trim();
        if (name) names.add(name);
      }
    }
  }
  return names;
}

function lucideModule(names) {
  const lines = [...names]
    .filter((name) => LUCIDE.has(name))
    .map((name) => `export { ${LUCIDE.get(name).imported} as ${name} } from ${JSON.stringify(LUCIDE.get(name).file)};`);
  // `export {}`: without it a module naming no known icon would pass for CommonJS, and an unknown icon would be
  // undefined at run time instead of a build error
  return ["export {};", ...lines].join("\n");
}

function packageName(spec) {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function loaderFor(file) {
  if (file.endsWith(".module.css")) return "local-css";
  return LOADERS[path.posix.extname(file).toLowerCase()];
}

// A shared module as the app's build sees it: its named exports, read from the shared script at run time. Named
// exports are spelled out, so an import of a name the module lacks fails the build as it would without sharing.
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(["default", "delete", "new", "class", "function", "import", "export", "in", "do", "if", "for", "var", "let", "const", "return", "this", "typeof", "void", "with", "yield", "enum", "await"]);
function sharedShim(spec, names) {
  const named = names.filter((name) => IDENTIFIER.test(name) && !RESERVED.has(name));
  let code = `const m = window.${SHARED_GLOBAL}[${JSON.stringify(spec)}];\n`;
  if (names.includes("default")) code += "export default m.default;\n";
  if (named.length) code += `export const { ${named.join(", ")} } = m;\n`;
  return code;
}

function sharedFilter(exports) {
  const escaped = Object.keys(exports).filter((spec) => !spec.startsWith("@/")).map((spec) => spec.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return new RegExp(`^(${escaped.join("|")})$`);
}

function vfsPlugin({ entry, files, binary = {}, allowed, exports = {} }, platformUsed) {
  const has = (p) => Object.hasOwn(files, p) || Object.hasOwn(binary, p);
  const isShared = (spec) => Object.prototype.hasOwnProperty.call(exports, spec);
  const icons = lucideNames(files);
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
        if (clean.startsWith("@stage/")) {
          if (Object.hasOwn(STAGE_MODULES, clean)) return { path: STAGE_MODULES[clean] };
          return { errors: [{ text: `Import "${clean}" is not available in Stage (imported by ${args.importer}); ${STAGE_MODULES_HINT}` }] };
        }
        if (clean.startsWith("@/")) {
          const found = platformModule(clean);
          if (!found) {
            return { errors: [{ text: `Import "${clean}" is not available in Stage (imported by ${args.importer}); ${PLATFORM_MODULES_HINT}` }] };
          }
          platformUsed.add(clean);
          return isShared(clean) ? { path: clean, namespace: SHARED_NS } : { path: found };
        }
        const pkg = packageName(clean);
        if (allowed.includes(clean) || (clean !== pkg && allowed.includes(`${pkg}/*`))) {
          if (isShared(clean)) return { path: clean, namespace: SHARED_NS };
          if (clean === "lucide-react" && icons !== null) return { path: clean, namespace: LUCIDE_NS };
          const result = await build.resolve(clean, { kind: args.kind, resolveDir: ROOT });
          if (result.errors.length === 0) return { path: result.path, sideEffects: result.sideEffects };
        }
        const available = `${allowed.filter((spec) => !spec.includes("jsx-")).join(", ")}, @/components/ui/*, @/lib/utils, @stage/*`;
        return { errors: [{ text: `Import "${clean}" is not available in Stage (imported by ${args.importer}); available: ${available}` }] };
      };
      build.onResolve({ filter: /.*/, namespace: VFS }, resolveFromUser);
      build.onResolve({ filter: /.*/, namespace: ENTRY_NS }, resolveFromUser);
      if (Object.keys(exports).length) {
        // A package bundled per app (lucide-react's icons, lodash's functions) uses the shared React, not a copy.
        build.onResolve({ filter: sharedFilter(exports), namespace: "file" }, (args) => ({ path: args.path, namespace: SHARED_NS }));
        build.onLoad({ filter: /.*/, namespace: SHARED_NS }, (args) => ({ contents: sharedShim(args.path, exports[args.path]), loader: "js" }));
      }
      build.onLoad({ filter: /.*/, namespace: LUCIDE_NS }, () => ({ contents: lucideModule(icons), loader: "js", resolveDir: ROOT }));
      build.onLoad({ filter: /.*/, namespace: VFS }, (args) => {
        const loader = loaderFor(args.path);
        if (!loader) return { errors: [{ text: `Cannot import ${args.path}: unsupported file type` }] };
        if (Object.hasOwn(binary, args.path)) {
          if (loader !== "dataurl") return { errors: [{ text: `Cannot import ${args.path}: a binary file imports only as an image, a font or media` }] };
          return { contents: Buffer.from(binary[args.path], "base64"), loader };
        }
        return { contents: files[args.path], loader };
      });
    },
  };
}

function locate(message, entry) {
  const loc = message.location;
  let file = loc ? loc.file.replace(/^(vfs|stage-entry):/, "") : null;
  let text = message.text.replaceAll(`"${SHARED_NS}:`, '"').replaceAll(`"${LUCIDE_NS}:`, '"');
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
  return { file, line, column, message: text, lineText: line && loc ? loc.lineText : null };
}

// The bundle's source map as kept with the artifact: the session's own sources only carry their text (the platform's
// and npm's are not the author's to see), and a map past MAX_SOURCE_MAP_BYTES loses the texts, or is not kept at all.
const MAX_SOURCE_MAP_BYTES = 2 * 1024 * 1024;
function sessionSourceMap(text) {
  const map = JSON.parse(text);
  map.sourcesContent = map.sources.map((source, i) => (source.startsWith(`${VFS}:`) ? map.sourcesContent[i] : null));
  let kept = JSON.stringify(map);
  if (kept.length > MAX_SOURCE_MAP_BYTES) {
    delete map.sourcesContent;
    kept = JSON.stringify(map);
  }
  return kept.length > MAX_SOURCE_MAP_BYTES ? "" : kept;
}

// The sources whose classes a build's Tailwind compiles with the session's: the platform modules it imported.
function platformSourcesOf(used) {
  const files = new Set();
  for (const spec of used) for (const file of PLATFORM_CLOSURE.get(spec) || []) files.add(file);
  return [...files].map((file) => platformSources.get(file));
}

const OPTIONS = {
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
  define: { "process.env.NODE_ENV": '"production"' },
};

async function buildApp(input) {
  const platformUsed = new Set();
  const result = await esbuild.build({
    ...OPTIONS,
    entryPoints: ["stage:entry"],
    plugins: [vfsPlugin(input, platformUsed)],
    sourcemap: "external", // a runtime error's position in the bundle is traced back to the session's file
    sourcesContent: true,
  });
  const out = { ok: true, js: "", css: "", map: "" };
  for (const file of result.outputFiles) {
    if (file.path.endsWith(".js.map")) out.map = sessionSourceMap(file.text);
    else if (file.path.endsWith(".js")) out.js = file.text;
    else if (file.path.endsWith(".css")) out.css = file.text;
  }
  // Tailwind first, so the app's own CSS (equal specificity, later) wins where both set something.
  const tailwind = await tailwindCss(input.files, platformSourcesOf(platformUsed));
  if (tailwind) out.css = out.css ? `${tailwind}\n${out.css}` : tailwind;
  return out;
}

// The names each shared module exports, read by running the script once against an empty window (the libraries
// only define things when loaded; nothing touches a DOM).
function exportNames(js) {
  const window = { console, setTimeout, clearTimeout, queueMicrotask };
  window.window = window;
  window.self = window;
  vm.runInContext(js, vm.createContext(window));
  const names = {};
  for (const [spec, module] of Object.entries(window[SHARED_GLOBAL])) names[spec] = Object.keys(module).filter((n) => n !== "__esModule").sort();
  return names;
}

async function buildShared(packages) {
  const specs = [...packages, ...PLATFORM_SPECS];
  const lines = specs.map((spec, i) => `import * as m${i} from ${JSON.stringify(spec)};`);
  // __esModule: an app's default import is the module's default (React's is the React object), not the namespace.
  lines.push(`const own = (m) => Object.assign(Object.create(null), m, { __esModule: true });`);
  lines.push(`window.${SHARED_GLOBAL} = { ${specs.map((spec, i) => `${JSON.stringify(spec)}: own(m${i})`).join(", ")} };`);
  const entry = lines.join("\n");
  const platform = {
    name: "stage-shared-entry",
    setup(build) {
      build.onResolve({ filter: /^stage:shared$/ }, () => ({ path: "shared", namespace: "stage-shared-entry" }));
      build.onLoad({ filter: /.*/, namespace: "stage-shared-entry" }, () => ({ contents: entry, loader: "js", resolveDir: ROOT }));
      build.onResolve({ filter: /^@\// }, (args) => ({ path: platformModule(args.path) }));
    },
  };
  const result = await esbuild.build({ ...OPTIONS, entryPoints: ["stage:shared"], plugins: [platform] });
  const js = result.outputFiles.find((file) => file.path.endsWith(".js")).text;
  return { ok: true, js, exports: exportNames(js) };
}

async function handle(input) {
  try {
    return Array.isArray(input.shared) ? await buildShared(input.shared) : await buildApp(input);
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
