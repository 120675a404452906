// @stage/inference in the browser: refused. A preview is open to whoever holds the session id, so it may not spend
// the owner's providers; the app's backend may (@stage/inference there, on the owner's keys and quotas).
const NOT_ALLOWED =
  "@stage/inference is not allowed from a browser preview on this platform: a preview is open to anyone " +
  "holding its link, and inference spends the owner's providers. Call it from the app's backend " +
  "(`import { inference } from \"@stage/inference\"` in /app/src/app.ts).";

function refuse(): Promise<never> {
  return Promise.reject(new Error(NOT_ALLOWED));
}

export const inference = { chat: refuse, embed: refuse, image: refuse, usage: refuse };
export default inference;
