// A component that is one element with a data-slot and its classes, the caller's className merged after them:
// most of shadcn/ui's parts (CardTitle, TableRow, AlertDescription, ...) are exactly that.
import { type ComponentProps, createElement, type JSX } from "react";
import { cn } from "../lib/utils";

export function part<Tag extends keyof JSX.IntrinsicElements>(tag: Tag, slot: string, classes: string) {
  function Part({ className, ...props }: ComponentProps<Tag> & { className?: string }) {
    return createElement(tag, { "data-slot": slot, className: cn(classes, className), ...props });
  }
  Part.displayName = slot;
  return Part;
}
