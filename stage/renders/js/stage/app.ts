// @stage/app: the published app this UI belongs to ({sid, name, channel}), or null for a plain session's preview.
import { app as info } from "./bridge";

export const app = info;
export default app;
