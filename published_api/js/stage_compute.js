// @stage/compute: Convex-style functions (query / mutation / action) defined in /app/compute/<module>.ts and
// bundled into the app's process, and the `compute` client that runs them. ctx.db calls cross the bridge into
// a PostgreSQL transaction the platform keeps open for the function: read-only for a query, one serialized
// all-or-nothing transaction for a mutation. Actions get ctx.runQuery / ctx.runMutation / fetch / inference.
import { bridgeCall } from "./bridge.js";
import { inference } from "./stage_inference.js";

const KIND = Symbol.for("stage.compute.kind");
const registry = new Map();

function define(kind) {
  return (definition) => {
    const handler = typeof definition === "function" ? definition : definition?.handler;
    if (typeof handler !== "function") throw new TypeError(`${kind}({ handler }) needs a handler function`);
    return Object.freeze({ [KIND]: kind, handler });
  };
}

export const query = define("query");
export const mutation = define("mutation");
export const action = define("action");

export function registerComputeModules(modules) {
  for (const [name, exports] of Object.entries(modules)) registry.set(name, exports);
}

function lookup(kind, module, fn) {
  const exports = registry.get(module);
  if (!exports) throw new Error(`Unknown compute module: ${module} (expected /app/compute/${module}.ts)`);
  const definition = Object.hasOwn(exports, fn) ? exports[fn] : undefined;
  if (!definition || !definition[KIND]) throw new Error(`Unknown compute function: ${module}.${fn}`);
  if (definition[KIND] !== kind) throw new Error(`${module}.${fn} is a ${definition[KIND]}, not a ${kind}`);
  return definition;
}

const plain = (value) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

// q => q.eq(q.field("a"), 1): builds the tree the platform compiles to SQL.
const operand = (x) => (x && typeof x === "object" && x.__field !== undefined ? { field: x.__field } : { value: x ?? null });
const compare = (op) => (a, b) => ({ op, args: [operand(a), operand(b)] });
const Q = Object.freeze({
  field: (path) => ({ __field: path }),
  eq: compare("eq"), neq: compare("neq"), lt: compare("lt"), lte: compare("lte"), gt: compare("gt"), gte: compare("gte"),
  and: (...args) => ({ op: "and", args }),
  or: (...args) => ({ op: "or", args }),
  not: (arg) => ({ op: "not", args: [arg] }),
});

class QueryBuilder {
  constructor(db, table) {
    this.db = db;
    this.spec = { table, filter: null, order: "asc" };
  }
  filter(build) {
    const next = build(Q);
    this.spec.filter = this.spec.filter ? { op: "and", args: [this.spec.filter, next] } : next;
    return this;
  }
  order(order) {
    if (order !== "asc" && order !== "desc") throw new Error(`order() takes "asc" or "desc", got ${order}`);
    this.spec.order = order;
    return this;
  }
  run(extra) {
    return this.db.call("query", { ...this.spec, ...extra });
  }
  async collect() {
    return (await this.run({})).page;
  }
  async take(n) {
    return (await this.run({ limit: n })).page;
  }
  async first() {
    return (await this.run({ limit: 1 })).page[0] ?? null;
  }
  async unique() {
    const page = (await this.run({ limit: 2 })).page;
    if (page.length > 1) throw new Error(`unique() found more than one document in ${this.spec.table}`);
    return page[0] ?? null;
  }
  paginate({ numItems, cursor } = {}) {
    return this.run({ limit: numItems, cursor: cursor ?? null });
  }
  [Symbol.asyncIterator]() {
    return this.collect().then((docs) => docs[Symbol.iterator]());
  }
}

// The transaction opens with the first ctx.db call (which carries `begin`); later calls wait for it. A mutation's
// writes are kept here until its next read or its end and travel with it, so a mutation of writes only is one call
// that opens, writes and commits (one round trip), and an insert's id is minted here. A write's own failure (a
// missing document, a value the store refuses) is thrown by the next ctx.db call or by the mutation, which then
// commits nothing. Every call goes after the last one that carried writes, so reads see the writes made before.
function transaction(mode) {
  let opened = null;
  let writes = [];
  let flushed = Promise.resolve();
  const send = (args) => {
    const carried = writes;
    writes = [];
    if (carried.length) args.writes = carried;
    const reply = opened
      ? Promise.all([opened, flushed]).then(([{ txn }]) => bridgeCall("compute.db", { txn, ...args }))
      : (opened = bridgeCall("compute.db", { begin: mode, ...args }));
    if (carried.length) flushed = reply.catch(() => {});
    return reply.then((answer) => answer.result);
  };
  const write = (change, result) => {
    writes.push(change);
    return Promise.resolve(result);
  };
  const end = async (commit) => {
    const carried = commit ? writes : [];
    writes = [];
    if (!opened) {
      if (carried.length) await bridgeCall("compute.db", { begin: mode, commit: true, writes: carried });
      return;
    }
    const [{ txn }] = await Promise.all([opened, flushed]);
    await bridgeCall("compute.end", { txn, commit, ...(carried.length ? { writes: carried } : {}) });
  };
  return { send, write, end };
}

// The same checks as the platform's (statements.py), so that a bad write fails where it is made.
function tableName(name) {
  const shown = JSON.stringify(name);
  if (typeof name !== "string" || !/^[\p{L}\p{N}_]{1,64}$/u.test(name)) {
    throw new Error(`Bad table name: ${shown} (letters, digits and _)`);
  }
  if (name.startsWith("_")) throw new Error(`Bad table name: ${shown} (names starting with _ are reserved)`);
  return name;
}

function documentOf(value) {
  const doc = plain(value);
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("A document is an object.");
  return doc;
}

function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "x").replaceAll("/", "y");
}

function database(tx, mode) {
  const db = { call: (action, args) => tx.send({ action, ...args }) };
  const writer = (name, fn) => (...args) => {
    if (mode !== "mutation") throw new Error(`ctx.db.${name} is not allowed in a query: a query is read-only (use a mutation).`);
    try {
      return fn(...args);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    get: (id) => db.call("get", { id }),
    query: (table) => new QueryBuilder(db, table),
    insert: writer("insert", (table, doc) => {
      const id = newId();
      return tx.write({ action: "insert", table: tableName(table), doc: documentOf(doc), id }, id);
    }),
    patch: writer("patch", (id, fields) => tx.write({ action: "patch", id, fields: documentOf(fields) }, null)),
    replace: writer("replace", (id, doc) => tx.write({ action: "replace", id, doc: documentOf(doc) }, null)),
    delete: writer("delete", (id) => tx.write({ action: "delete", id }, null)),
  };
}

// A query's end only lets its snapshot go: the caller does not wait for it.
async function inTransaction(mode, handler, args) {
  const tx = transaction(mode);
  let result;
  try {
    result = plain(await handler({ db: database(tx, mode) }, args));
  } catch (error) {
    await tx.end(false).catch(() => {});
    throw error;
  }
  const ending = tx.end(true);
  if (mode === "query") ending.catch(() => {});
  else await ending;
  return result;
}

const ref = (module, fn, args) =>
  typeof module === "string" && module.includes(":") && (fn === undefined || typeof fn === "object")
    ? [...module.split(":", 2), fn]
    : [module, fn, args];

async function run(kind, module, fn, args) {
  const { handler } = lookup(kind, module, fn);
  const input = plain(args ?? {});
  if (kind !== "action") return inTransaction(kind, handler, input);
  const ctx = {
    runQuery: (m, f, a) => run("query", ...ref(m, f, a)),
    runMutation: (m, f, a) => run("mutation", ...ref(m, f, a)),
    runAction: (m, f, a) => run("action", ...ref(m, f, a)),
    fetch: (...a) => globalThis.fetch(...a),
    inference,
  };
  return plain(await handler(ctx, input));
}

export const compute = {
  query: (module, fn, args) => run("query", module, fn, args),
  mutation: (module, fn, args) => run("mutation", module, fn, args),
  action: (module, fn, args) => run("action", module, fn, args),
};
export { run as runCompute };
export default compute;
