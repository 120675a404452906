import { part } from "./_part";

export const Skeleton = part("div", "skeleton", "animate-pulse rounded-md bg-accent");
