import * as DialogPrimitive from "@radix-ui/react-dialog";
import { XIcon } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "../lib/utils";
import { wrap } from "./_wrap";

export const Dialog = wrap(DialogPrimitive.Root, "dialog");
export const DialogTrigger = wrap(DialogPrimitive.Trigger, "dialog-trigger");
export const DialogPortal = wrap(DialogPrimitive.Portal, "dialog-portal");
export const DialogClose = wrap(DialogPrimitive.Close, "dialog-close");
export const DialogOverlay = wrap(
  DialogPrimitive.Overlay,
  "dialog-overlay",
  "fixed inset-0 z-50 bg-black/50 data-[state=open]:animate-in data-[state=closed]:animate-out",
);

export function DialogContent({
  className,
  children,
  showCloseButton = true,
  ...props
}: ComponentProps<typeof DialogPrimitive.Content> & { showCloseButton?: boolean }) {
  return (
    <DialogPortal>
      <DialogOverlay />
      <DialogPrimitive.Content
        data-slot="dialog-content"
        className={cn(
          "fixed top-1/2 left-1/2 z-50 grid w-full max-w-[calc(100%-2rem)] -translate-x-1/2 -translate-y-1/2 gap-4",
          "rounded-lg border bg-background p-6 shadow-lg sm:max-w-lg",
          className,
        )}
        {...props}
      >
        {children}
        {showCloseButton && (
          <DialogPrimitive.Close
            data-slot="dialog-close"
            className="absolute top-4 right-4 rounded-xs opacity-70 transition-opacity hover:opacity-100"
          >
            <XIcon className="size-4" />
            <span className="sr-only">Close</span>
          </DialogPrimitive.Close>
        )}
      </DialogPrimitive.Content>
    </DialogPortal>
  );
}

export const DialogHeader = wrap("div", "dialog-header", "flex flex-col gap-2 text-center sm:text-left");
export const DialogFooter = wrap("div", "dialog-footer", "flex flex-col-reverse gap-2 sm:flex-row sm:justify-end");
export const DialogTitle = wrap(DialogPrimitive.Title, "dialog-title", "text-lg leading-none font-semibold");
export const DialogDescription = wrap(DialogPrimitive.Description, "dialog-description", "text-sm text-muted-foreground");
