import { wrap } from "./_wrap";

export const Label = wrap("label", "label", "flex items-center gap-2 text-sm leading-none font-medium select-none");
