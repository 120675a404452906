import { GripVerticalIcon } from "lucide-react";
import type { ComponentProps } from "react";
import * as Panels from "react-resizable-panels";
import { cn } from "../lib/utils";
import { wrap } from "./_wrap";

export function ResizablePanelGroup({
  className,
  direction = "horizontal",
  ...props
}: ComponentProps<typeof Panels.Group> & { direction?: "horizontal" | "vertical" }) {
  return (
    <Panels.Group
      data-slot="resizable-panel-group"
      data-panel-group-direction={direction}
      orientation={direction}
      className={cn("flex h-full w-full data-[panel-group-direction=vertical]:flex-col", className)}
      {...props}
    />
  );
}

export const ResizablePanel = wrap(Panels.Panel, "resizable-panel");

export function ResizableHandle({
  withHandle,
  className,
  ...props
}: ComponentProps<typeof Panels.Separator> & { withHandle?: boolean }) {
  return (
    <Panels.Separator
      data-slot="resizable-handle"
      className={cn("relative flex w-px items-center justify-center bg-border focus-visible:outline-hidden", className)}
      {...props}
    >
      {withHandle && (
        <div className="z-10 flex h-4 w-3 items-center justify-center rounded-xs border bg-border">
          <GripVerticalIcon className="size-2.5" />
        </div>
      )}
    </Panels.Separator>
  );
}
