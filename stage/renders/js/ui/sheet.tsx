import * as SheetPrimitive from "@radix-ui/react-dialog";
import { XIcon } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "../lib/utils";
import { wrap } from "./_wrap";

export const Sheet = wrap(SheetPrimitive.Root, "sheet");
export const SheetTrigger = wrap(SheetPrimitive.Trigger, "sheet-trigger");
export const SheetClose = wrap(SheetPrimitive.Close, "sheet-close");
const SheetOverlay = wrap(SheetPrimitive.Overlay, "sheet-overlay", "fixed inset-0 z-50 bg-black/50");

const SIDES = {
  right: "inset-y-0 right-0 h-full w-3/4 border-l sm:max-w-sm",
  left: "inset-y-0 left-0 h-full w-3/4 border-r sm:max-w-sm",
  top: "inset-x-0 top-0 h-auto border-b",
  bottom: "inset-x-0 bottom-0 h-auto border-t",
};

export function SheetContent({
  className,
  children,
  side = "right",
  ...props
}: ComponentProps<typeof SheetPrimitive.Content> & { side?: keyof typeof SIDES }) {
  return (
    <SheetPrimitive.Portal>
      <SheetOverlay />
      <SheetPrimitive.Content
        data-slot="sheet-content"
        className={cn("fixed z-50 flex flex-col gap-4 bg-background shadow-lg", SIDES[side], className)}
        {...props}
      >
        {children}
        <SheetPrimitive.Close className="absolute top-4 right-4 rounded-xs opacity-70 transition-opacity hover:opacity-100">
          <XIcon className="size-4" />
          <span className="sr-only">Close</span>
        </SheetPrimitive.Close>
      </SheetPrimitive.Content>
    </SheetPrimitive.Portal>
  );
}

export const SheetHeader = wrap("div", "sheet-header", "flex flex-col gap-1.5 p-4");
export const SheetFooter = wrap("div", "sheet-footer", "mt-auto flex flex-col gap-2 p-4");
export const SheetTitle = wrap(SheetPrimitive.Title, "sheet-title", "font-semibold text-foreground");
export const SheetDescription = wrap(SheetPrimitive.Description, "sheet-description", "text-sm text-muted-foreground");
