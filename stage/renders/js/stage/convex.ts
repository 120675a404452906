// @stage/convex: what the session shares live. `liveData` and `messages` always hold the latest values: when they
// change (here, in another viewer, or from the CLI through the Convex endpoint's stage:setLiveData and
// stage:sendMessage) the app renders again with them, within a second.
import { useSyncExternalStore } from "react";
import { asJson, call, copy, current, type Message, optimistic, subscribe, watch } from "./bridge";

export let liveData: any = copy(current().liveData);
export let messages: Message[] = copy(current().messages);

subscribe(() => {
  liveData = copy(current().liveData);
  messages = copy(current().messages);
});
watch();

export function setLiveData(data: unknown): Promise<void> {
  const json = asJson(data, "setLiveData: the data");
  optimistic((live) => ({ ...live, liveData: json }));
  return call("liveData.set", { data: json }).then(() => undefined);
}

export function sendMessage(text: string, sender = "user"): Promise<Message> {
  if (typeof text !== "string" || !text.trim()) return Promise.reject(new TypeError("sendMessage: text is a non-empty string"));
  return call("messages.send", { text, sender }).then(() => current().messages[current().messages.length - 1]);
}

export function clearMessages(): Promise<void> {
  return call("messages.clear").then(() => undefined);
}

/** Hooks, for components that would rather subscribe than read the module's bindings. */
export function useLiveData<T = any>(): T {
  return useSyncExternalStore(subscribe, () => current().liveData) as T;
}

export function useMessages(): Message[] {
  return useSyncExternalStore(subscribe, () => current().messages);
}
