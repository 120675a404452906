// @stage/inference in the browser: chat, embed, image and usage on the owner's providers, through the page around
// the frame, only where the owner has allowed inference from this session's preview (within a token budget per
// hour); otherwise every call is refused with a message saying how the owner can allow it.
import { call } from "./bridge";

type Params = Record<string, unknown>;

export const inference = {
  chat: (params: Params) => call("inference.chat", params),
  embed: (params: Params) => call("inference.embed", params),
  image: (params: Params) => call("inference.image", params),
  usage: (params: Params = {}) => call("inference.usage", params),
};

export default inference;
