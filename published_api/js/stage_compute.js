// @stage/compute: calls cross the bridge; the platform side arrives with the compute issue.
import { bridgeCall } from "./bridge.js";

const call = (kind) => (module, fn, args) => bridgeCall(`compute.${kind}`, { module, fn, args: args ?? {} });

export const compute = { query: call("query"), mutation: call("mutation"), action: call("action") };
export default compute;
