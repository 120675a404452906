import { wrap } from "./_wrap";

export const Skeleton = wrap("div", "skeleton", "animate-pulse rounded-md bg-accent");
