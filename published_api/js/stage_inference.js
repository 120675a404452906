// @stage/inference: chat, embed, image and usage, each one call across the bridge to the platform,
// which picks the provider, enforces the app's quota and records the usage.
import { bridgeCall } from "./bridge.js";

const call = (method) => (request) => bridgeCall(`inference.${method}`, request ?? {});

export const inference = { chat: call("chat"), embed: call("embed"), image: call("image"), usage: call("usage") };
export default inference;
