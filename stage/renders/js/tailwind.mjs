// Tailwind for renders: the classes a session's files use, compiled at build time against theme.css (Tailwind,
// dark mode from a `.dark` ancestor, shadcn/ui's theme tokens). Each build scans the session's files in memory,
// and the platform's components the build bundled, for candidates and builds only what they name. A Tailwind
// compiler remembers every class it has built, so each build takes a fresh one, made while the driver waited for
// the build (~10-20 ms, off the build's path unless builds come back to back). A session that names no Tailwind
// class gets no stylesheet at all (not even Tailwind's reset), so plain apps look as written. Nothing is read from
// disk after the first build.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Scanner } from "@tailwindcss/oxide";
import { compile } from "tailwindcss";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCANNED = /\.(tsx|ts|jsx|js|mjs|html|md|mdx)$/;
const TAILWIND = createRequire(import.meta.url).resolve("tailwindcss/index.css");
const STYLESHEETS = { tailwindcss: { path: TAILWIND, content: readFileSync(TAILWIND, "utf8") } };
const THEME = readFileSync(path.join(HERE, "theme.css"), "utf8");

async function loadStylesheet(id, base) {
  if (!Object.hasOwn(STYLESHEETS, id)) throw new Error(`@import "${id}" is not available`);
  return { ...STYLESHEETS[id], base };
}

function fresh() {
  const made = compile(THEME, { base: HERE, loadStylesheet });
  made.catch(() => {}); // a failure surfaces when the build awaits it
  return made;
}

let next = fresh();
const unused = fresh().then((compiler) => compiler.build([])); // the theme alone: no class of the session's

export async function tailwindCss(files, platformSources = []) {
  const sources = Object.entries(files)
    .filter(([file]) => SCANNED.test(file))
    .map(([file, content]) => ({ content, extension: path.extname(file).slice(1) }))
    .concat(platformSources);
  if (sources.length === 0) return "";
  const candidates = new Scanner({}).scanFiles(sources);
  const compiler = await next;
  next = fresh();
  const built = compiler.build(candidates);
  return built === (await unused) ? "" : built;
}
