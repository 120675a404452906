import { part } from "./_part";

export const Label = part("label", "label", "flex items-center gap-2 text-sm leading-none font-medium select-none");
