// The parts every Radix menu has (dropdown menu, context menu, menubar), styled once: given the primitive's
// namespace, the items, labels, separators, sub-menus and the content in its portal, as shadcn/ui names them
// (each module re-exports them under its own prefix).
import { CheckIcon, ChevronRightIcon, CircleIcon } from "lucide-react";
import { type ComponentProps, createElement, type ElementType } from "react";
import { cn } from "../lib/utils";
import { wrap } from "./_wrap";

const ITEM =
  "relative flex cursor-default items-center gap-2 rounded-sm px-2 py-1.5 text-sm outline-hidden select-none " +
  "focus:bg-accent focus:text-accent-foreground data-[disabled]:pointer-events-none data-[disabled]:opacity-50 " +
  "[&_svg]:pointer-events-none [&_svg]:shrink-0 [&_svg:not([class*='size-'])]:size-4";
const CONTENT = "z-50 min-w-[8rem] overflow-hidden rounded-md border bg-popover p-1 text-popover-foreground shadow-md";
const INDICATOR = "pointer-events-none absolute left-2 flex size-3.5 items-center justify-center";

type Menu = Record<string, ElementType>;

export function menuParts(primitive: Menu, prefix: string) {
  function Content({ className, ...props }: { className?: string; [key: string]: unknown }) {
    const content = createElement(primitive.Content, { "data-slot": `${prefix}-content`, className: cn(CONTENT, className), ...props });
    return createElement(primitive.Portal, null, content);
  }

  function Item({ className, inset, variant = "default", ...props }: ComponentProps<"div"> & { inset?: boolean; variant?: "default" | "destructive" }) {
    return createElement(primitive.Item, {
      "data-slot": `${prefix}-item`,
      "data-inset": inset,
      "data-variant": variant,
      className: cn(ITEM, "data-[inset]:pl-8 data-[variant=destructive]:text-destructive", className),
      ...props,
    });
  }

  function CheckboxItem({ className, children, ...props }: ComponentProps<"div"> & { checked?: boolean | "indeterminate" }) {
    const mark = createElement("span", { className: INDICATOR }, createElement(primitive.ItemIndicator, null, createElement(CheckIcon, { className: "size-4" })));
    return createElement(primitive.CheckboxItem, { "data-slot": `${prefix}-checkbox-item`, className: cn(ITEM, "pl-8", className), ...props }, mark, children);
  }

  function RadioItem({ className, children, ...props }: ComponentProps<"div"> & { value: string }) {
    const mark = createElement("span", { className: INDICATOR }, createElement(primitive.ItemIndicator, null, createElement(CircleIcon, { className: "size-2 fill-current" })));
    return createElement(primitive.RadioItem, { "data-slot": `${prefix}-radio-item`, className: cn(ITEM, "pl-8", className), ...props }, mark, children);
  }

  function SubTrigger({ className, inset, children, ...props }: ComponentProps<"div"> & { inset?: boolean }) {
    return createElement(
      primitive.SubTrigger,
      { "data-slot": `${prefix}-sub-trigger`, "data-inset": inset, className: cn(ITEM, "data-[inset]:pl-8 data-[state=open]:bg-accent", className), ...props },
      children,
      createElement(ChevronRightIcon, { className: "ml-auto size-4" }),
    );
  }

  return {
    Content,
    Item,
    CheckboxItem,
    RadioItem,
    SubTrigger,
    Group: wrap(primitive.Group, `${prefix}-group`),
    RadioGroup: wrap(primitive.RadioGroup, `${prefix}-radio-group`),
    Sub: wrap(primitive.Sub, `${prefix}-sub`),
    SubContent: wrap(primitive.SubContent, `${prefix}-sub-content`, CONTENT),
    Label: wrap(primitive.Label, `${prefix}-label`, "px-2 py-1.5 text-sm font-medium data-[inset]:pl-8"),
    Separator: wrap(primitive.Separator, `${prefix}-separator`, "-mx-1 my-1 h-px bg-border"),
    Shortcut: wrap("span", `${prefix}-shortcut`, "ml-auto text-xs tracking-widest text-muted-foreground"),
  };
}
