import { wrap } from "./_wrap";

export const Card = wrap("div", "card", "flex flex-col gap-6 rounded-xl border bg-card py-6 text-card-foreground shadow-sm");
export const CardHeader = wrap(
  "div",
  "card-header",
  "grid auto-rows-min items-start gap-1.5 px-6 has-data-[slot=card-action]:grid-cols-[1fr_auto]",
);
export const CardTitle = wrap("div", "card-title", "leading-none font-semibold");
export const CardDescription = wrap("div", "card-description", "text-sm text-muted-foreground");
export const CardAction = wrap("div", "card-action", "col-start-2 row-span-2 row-start-1 self-start justify-self-end");
export const CardContent = wrap("div", "card-content", "px-6");
export const CardFooter = wrap("div", "card-footer", "flex items-center px-6");
