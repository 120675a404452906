import * as PopoverPrimitive from "@radix-ui/react-popover";
import { floating, wrap } from "./_wrap";

export const Popover = wrap(PopoverPrimitive.Root, "popover");
export const PopoverTrigger = wrap(PopoverPrimitive.Trigger, "popover-trigger");
export const PopoverAnchor = wrap(PopoverPrimitive.Anchor, "popover-anchor");
export const PopoverContent = floating(
  PopoverPrimitive.Portal,
  PopoverPrimitive.Content,
  "popover-content",
  "z-50 w-72 rounded-md border bg-popover p-4 text-popover-foreground shadow-md outline-hidden",
  { align: "center", sideOffset: 4 },
);
