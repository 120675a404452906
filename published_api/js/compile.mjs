// Bundle app backends with esbuild. Each stdin line: {"files": {path: content}, "entrypoint": "/app/src/app.ts"};
// each stdout line: {"code": "..."} or {"error": {"file", "line", "column", "message"}}.
// Resolution is closed: the version's own files (relative and /app/... imports, extensionless, index files),
// `hono` from the platform's node_modules, `@stage/*` from the runtime, `node:*` left to Deno (whose
// permissions refuse what matters). Anything else, the host's own files included, is a compile error.
import { build } from "esbuild";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { serveLines } from "../../core/js/line_server.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const PLATFORM = join(HERE, "..", "..");
const STAGE_MODULES = {
  "@stage/utils": join(PLATFORM, "core/js/stage_utils.js"), // one implementation, for frames too
  "@stage/inference": join(HERE, "stage_inference.js"),
  "@stage/compute": join(HERE, "stage_compute.js"),
};
const EXTENSIONS = ["", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".json"];
const LOADERS = { ts: "ts", tsx: "tsx", js: "js", jsx: "jsx", mjs: "js", json: "json", css: "empty" };

function findFile(files, path) {
  for (const ext of EXTENSIONS) if (Object.hasOwn(files, path + ext)) return path + ext;
  for (const ext of EXTENSIONS.slice(1)) if (Object.hasOwn(files, `${path}/index${ext}`)) return `${path}/index${ext}`;
  return null;
}

// /app/compute/<module>.ts files are bundled with the backend and registered with @stage/compute.
const COMPUTE_FILE = /^\/app\/compute\/([a-z][a-z0-9_]*)\.(ts|tsx|js|jsx|mjs)$/;
function computePrelude(files) {
  const modules = Object.keys(files).flatMap((path) => {
    const match = COMPUTE_FILE.exec(path);
    return match ? [[match[1], path]] : [];
  });
  if (!modules.length) return "";
  const imports = modules.map(([, path], i) => `import * as compute${i} from ${JSON.stringify(path)};\n`).join("");
  const names = modules.map(([name], i) => `${JSON.stringify(name)}: compute${i}`).join(", ");
  return `${imports}import { registerComputeModules } from "@stage/compute";\nregisterComputeModules({ ${names} });\n`;
}

function sandboxPlugin(files, entrypoint) {
  return {
    name: "stage-sandbox",
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.platform) return undefined; // our own b.resolve below
        if (args.kind === "entry-point") return { path: "/__stage_entry.js", namespace: "stage" };
        if (args.path === "@stage/__harness") return { path: join(HERE, "harness.js") };
        if (Object.hasOwn(STAGE_MODULES, args.path)) return { path: STAGE_MODULES[args.path] };
        if (args.path.startsWith("@stage/")) return { errors: [{ text: `Unknown Stage module: ${args.path}` }] };
        if (args.path.startsWith("node:")) return { path: args.path, external: true };
        if (args.namespace === "file") return undefined; // inside hono or the runtime: esbuild's own resolution
        if (args.path === "hono" || args.path.startsWith("hono/")) {
          const found = await b.resolve(args.path, {
            resolveDir: PLATFORM,
            kind: args.kind,
            namespace: "file",
            pluginData: { platform: true },
          });
          return found.errors.length ? { errors: found.errors } : { path: found.path };
        }
        const from = args.importer === "/__stage_entry.js" ? "/" : posix.dirname(args.importer);
        if (args.path.startsWith("/") || args.path.startsWith(".")) {
          const wanted = posix.normalize(args.path.startsWith("/") ? args.path : posix.join(from, args.path));
          const path = findFile(files, wanted);
          if (path) return { path, namespace: "app" };
          return { errors: [{ text: `Cannot find ${args.path} among the app's files` }] };
        }
        return { errors: [{ text: `Import not available to backends: ${args.path} (allowed: hono, @stage/*, node:*)` }] };
      });
      b.onLoad({ filter: /.*/, namespace: "stage" }, () => ({
        contents: computePrelude(files) + `import { start } from "@stage/__harness";\nstart(() => import(${JSON.stringify(entrypoint)}));\n`,
        loader: "js",
        resolveDir: "/",
      }));
      b.onLoad({ filter: /.*/, namespace: "app" }, (args) => ({
        contents: files[args.path],
        loader: LOADERS[posix.extname(args.path).slice(1)] ?? "ts",
      }));
    },
  };
}

async function compile({ files, entrypoint }) {
  if (!Object.hasOwn(files, entrypoint)) {
    return { error: { file: entrypoint, line: 0, column: 0, message: `No such file: ${entrypoint}` } };
  }
  try {
    const result = await build({
      entryPoints: ["stage-entry"],
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      mainFields: ["module", "main"],
      conditions: ["import", "default"],
      jsx: "automatic",
      jsxImportSource: "hono/jsx",
      logLevel: "silent",
      plugins: [sandboxPlugin(files, entrypoint)],
    });
    return { code: result.outputFiles[0].text };
  } catch (failure) {
    const first = failure.errors?.[0];
    if (!first) return { error: { file: entrypoint, line: 0, column: 0, message: String(failure?.message ?? failure) } };
    return {
      error: {
        file: (first.location?.file ?? entrypoint).replace(/^app:/, ""),
        line: first.location?.line ?? 0,
        column: first.location?.column ?? 0,
        message: first.text,
      },
    };
  }
}

// A warm process: one compile request per stdin line, one answer per stdout line.
await serveLines(compile, (error) => ({
  error: { file: "", line: 0, column: 0, message: `Compiler failure: ${error?.message ?? error}` },
}));
