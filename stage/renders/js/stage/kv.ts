// @stage/kv: the session's key-value store. Reads are synchronous, from the store as it was when the app started
// and as it changed since; writes update it at once here and are kept on the server for the session (they survive
// reloads and reach other viewers), each returning a promise of the write.
import { asJson, call, copy, current, optimistic, watch } from "./bridge";

watch();

function checkedKey(key: unknown): string {
  if (typeof key !== "string" || !key) throw new TypeError("kv: a key is a non-empty string");
  return key;
}

export const kv = {
  /** The value under `key`, or null. */
  get<T = unknown>(key: string): T | null {
    const store = current().kv;
    return Object.prototype.hasOwnProperty.call(store, checkedKey(key)) ? (copy(store[key]) as T) : null;
  },
  set(key: string, value: unknown): Promise<void> {
    const json = asJson(value, "kv.set: the value");
    optimistic((live) => ({ ...live, kv: { ...live.kv, [checkedKey(key)]: json } }));
    return call("kv.set", { key, value: json }).then(() => undefined);
  },
  delete(key: string): Promise<void> {
    optimistic((live) => {
      const { [checkedKey(key)]: _gone, ...kept } = live.kv;
      return { ...live, kv: kept };
    });
    return call("kv.delete", { key }).then(() => undefined);
  },
  /** The keys, sorted. */
  list(): string[] {
    return Object.keys(current().kv).sort();
  },
  clear(): Promise<void> {
    optimistic((live) => ({ ...live, kv: {} }));
    return call("kv.clear").then(() => undefined);
  },
};

export default kv;
