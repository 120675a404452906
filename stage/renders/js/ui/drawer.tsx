import type { ComponentProps } from "react";
import { Drawer as DrawerPrimitive } from "vaul";
import { cn } from "../lib/utils";
import { wrap } from "./_wrap";

export const Drawer = wrap(DrawerPrimitive.Root, "drawer");
export const DrawerTrigger = wrap(DrawerPrimitive.Trigger, "drawer-trigger");
export const DrawerPortal = wrap(DrawerPrimitive.Portal, "drawer-portal");
export const DrawerClose = wrap(DrawerPrimitive.Close, "drawer-close");
export const DrawerOverlay = wrap(DrawerPrimitive.Overlay, "drawer-overlay", "fixed inset-0 z-50 bg-black/50");

export function DrawerContent({ className, children, ...props }: ComponentProps<typeof DrawerPrimitive.Content>) {
  return (
    <DrawerPortal>
      <DrawerOverlay />
      <DrawerPrimitive.Content
        data-slot="drawer-content"
        className={cn(
          "group/drawer-content fixed inset-x-0 bottom-0 z-50 mt-24 flex h-auto max-h-[80vh] flex-col rounded-t-lg",
          "border-t bg-background",
          className,
        )}
        {...props}
      >
        <div className="mx-auto mt-4 h-2 w-[100px] shrink-0 rounded-full bg-muted" />
        {children}
      </DrawerPrimitive.Content>
    </DrawerPortal>
  );
}

export const DrawerHeader = wrap("div", "drawer-header", "flex flex-col gap-1.5 p-4 text-center md:text-left");
export const DrawerFooter = wrap("div", "drawer-footer", "mt-auto flex flex-col gap-2 p-4");
export const DrawerTitle = wrap(DrawerPrimitive.Title, "drawer-title", "font-semibold text-foreground");
export const DrawerDescription = wrap(DrawerPrimitive.Description, "drawer-description", "text-sm text-muted-foreground");
