import * as AlertDialogPrimitive from "@radix-ui/react-alert-dialog";
import type { ComponentProps } from "react";
import { cn } from "../lib/utils";
import { buttonVariants } from "./button";
import { wrap } from "./_wrap";

export const AlertDialog = wrap(AlertDialogPrimitive.Root, "alert-dialog");
export const AlertDialogTrigger = wrap(AlertDialogPrimitive.Trigger, "alert-dialog-trigger");
const AlertDialogOverlay = wrap(AlertDialogPrimitive.Overlay, "alert-dialog-overlay", "fixed inset-0 z-50 bg-black/50");

export function AlertDialogContent({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Content>) {
  return (
    <AlertDialogPrimitive.Portal>
      <AlertDialogOverlay />
      <AlertDialogPrimitive.Content
        data-slot="alert-dialog-content"
        className={cn(
          "fixed top-1/2 left-1/2 z-50 grid w-full max-w-[calc(100%-2rem)] -translate-x-1/2 -translate-y-1/2 gap-4",
          "rounded-lg border bg-background p-6 shadow-lg sm:max-w-lg",
          className,
        )}
        {...props}
      />
    </AlertDialogPrimitive.Portal>
  );
}

export const AlertDialogHeader = wrap("div", "alert-dialog-header", "flex flex-col gap-2 text-center sm:text-left");
export const AlertDialogFooter = wrap("div", "alert-dialog-footer", "flex flex-col-reverse gap-2 sm:flex-row sm:justify-end");
export const AlertDialogTitle = wrap(AlertDialogPrimitive.Title, "alert-dialog-title", "text-lg font-semibold");
export const AlertDialogDescription = wrap(
  AlertDialogPrimitive.Description,
  "alert-dialog-description",
  "text-sm text-muted-foreground",
);

export function AlertDialogAction({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Action>) {
  return <AlertDialogPrimitive.Action className={cn(buttonVariants(), className)} {...props} />;
}

export function AlertDialogCancel({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Cancel>) {
  return <AlertDialogPrimitive.Cancel className={cn(buttonVariants({ variant: "outline" }), className)} {...props} />;
}
