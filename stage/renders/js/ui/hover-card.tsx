import * as HoverCardPrimitive from "@radix-ui/react-hover-card";
import { floating, wrap } from "./_wrap";

export const HoverCard = wrap(HoverCardPrimitive.Root, "hover-card");
export const HoverCardTrigger = wrap(HoverCardPrimitive.Trigger, "hover-card-trigger");
export const HoverCardContent = floating(
  HoverCardPrimitive.Portal,
  HoverCardPrimitive.Content,
  "hover-card-content",
  "z-50 w-64 rounded-md border bg-popover p-4 text-popover-foreground shadow-md outline-hidden",
  { align: "center", sideOffset: 4 },
);
