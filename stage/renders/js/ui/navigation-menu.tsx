import * as NavigationMenuPrimitive from "@radix-ui/react-navigation-menu";
import { cva } from "class-variance-authority";
import { ChevronDownIcon } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "../lib/utils";
import { wrap } from "./_wrap";

export const navigationMenuTriggerStyle = cva(
  "group inline-flex h-9 w-max items-center justify-center rounded-md bg-background px-4 py-2 text-sm font-medium " +
    "outline-none transition-colors hover:bg-accent hover:text-accent-foreground focus:bg-accent " +
    "disabled:pointer-events-none disabled:opacity-50 data-[state=open]:bg-accent/50",
);

export function NavigationMenu({ className, children, viewport = true, ...props }: ComponentProps<typeof NavigationMenuPrimitive.Root> & { viewport?: boolean }) {
  return (
    <NavigationMenuPrimitive.Root
      data-slot="navigation-menu"
      data-viewport={viewport}
      className={cn("group/navigation-menu relative flex max-w-max flex-1 items-center justify-center", className)}
      {...props}
    >
      {children}
      {viewport && <NavigationMenuViewport />}
    </NavigationMenuPrimitive.Root>
  );
}

export const NavigationMenuList = wrap(
  NavigationMenuPrimitive.List,
  "navigation-menu-list",
  "group flex flex-1 list-none items-center justify-center gap-1",
);
export const NavigationMenuItem = wrap(NavigationMenuPrimitive.Item, "navigation-menu-item", "relative");

export function NavigationMenuTrigger({ className, children, ...props }: ComponentProps<typeof NavigationMenuPrimitive.Trigger>) {
  return (
    <NavigationMenuPrimitive.Trigger data-slot="navigation-menu-trigger" className={cn(navigationMenuTriggerStyle(), "group", className)} {...props}>
      {children}{" "}
      <ChevronDownIcon className="relative top-[1px] ml-1 size-3 transition duration-300 group-data-[state=open]:rotate-180" aria-hidden="true" />
    </NavigationMenuPrimitive.Trigger>
  );
}

export const NavigationMenuContent = wrap(
  NavigationMenuPrimitive.Content,
  "navigation-menu-content",
  "top-0 left-0 w-full p-2 pr-2.5 md:absolute md:w-auto",
);
export const NavigationMenuLink = wrap(
  NavigationMenuPrimitive.Link,
  "navigation-menu-link",
  "flex flex-col gap-1 rounded-sm p-2 text-sm transition-all outline-none hover:bg-accent hover:text-accent-foreground",
);
export const NavigationMenuIndicator = wrap(
  NavigationMenuPrimitive.Indicator,
  "navigation-menu-indicator",
  "top-full z-[1] flex h-1.5 items-end justify-center overflow-hidden",
);

function NavigationMenuViewport({ className, ...props }: ComponentProps<typeof NavigationMenuPrimitive.Viewport>) {
  return (
    <div className="absolute top-full left-0 isolate z-50 flex justify-center">
      <NavigationMenuPrimitive.Viewport
        data-slot="navigation-menu-viewport"
        className={cn(
          "relative mt-1.5 h-[var(--radix-navigation-menu-viewport-height)] w-full overflow-hidden rounded-md border",
          "bg-popover text-popover-foreground shadow md:w-[var(--radix-navigation-menu-viewport-width)]",
          className,
        )}
        {...props}
      />
    </div>
  );
}

export { NavigationMenuViewport };
