// One element or Radix primitive with a data-slot and its classes, the caller's className merged after them: the
// shape of most of shadcn/ui's parts (CardTitle, TableRow, TabsList, AccordionItem, AvatarImage, ...).
import { type ComponentProps, createElement, type ElementType } from "react";
import { cn } from "../lib/utils";

export function wrap<Primitive extends ElementType>(primitive: Primitive, slot: string, classes = "") {
  function Part({ className, ...props }: ComponentProps<Primitive> & { className?: string }) {
    return createElement(primitive, { "data-slot": slot, className: cn(classes, className) || undefined, ...props });
  }
  Part.displayName = slot;
  return Part;
}

// A Radix popup's content in its portal (popover, hover card, tooltip): `defaults` (align, sideOffset) first, so
// the caller's props win.
export function floating<Content extends ElementType>(
  portal: ElementType,
  content: Content,
  slot: string,
  classes: string,
  defaults: Record<string, unknown> = {},
) {
  function Floating({ className, ...props }: ComponentProps<Content> & { className?: string }) {
    const inner = createElement(content, { "data-slot": slot, ...defaults, className: cn(classes, className), ...props });
    return createElement(portal, null, inner);
  }
  Floating.displayName = slot;
  return Floating;
}
