// @stage/ledger: the app's hash-chained audit ledger. `ledger.audit("read", {resource, ...})`, as the Stage runtime
// has it, or the workflow block's object form `ledger.audit({operation: "read", resource, ...})`; resolves with
// the event's place in the chain, {seq, hash}.
import { call } from "./bridge";

export type AuditOptions = {
  actor?: string;
  resource?: string;
  dataRefs?: unknown[];
  status?: string;
  meta?: Record<string, unknown>;
};

export const ledger = {
  audit(operation: string | ({ operation: string } & AuditOptions), options: AuditOptions = {}): Promise<{ seq: number; hash: string }> {
    const event = typeof operation === "string" ? { ...options, operation } : { ...operation };
    return call("ledger.audit", event);
  },
};

export default ledger;
