// @stage/inference: calls cross the bridge; the platform side arrives with the inference issue.
import { bridgeCall } from "./bridge.js";

const call = (method) => (request) => bridgeCall(`inference.${method}`, request ?? {});

export const inference = { chat: call("chat"), embed: call("embed"), image: call("image"), usage: call("usage") };
export default inference;
