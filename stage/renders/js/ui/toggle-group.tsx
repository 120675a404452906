import * as ToggleGroupPrimitive from "@radix-ui/react-toggle-group";
import type { VariantProps } from "class-variance-authority";
import { type ComponentProps, createContext, useContext } from "react";
import { cn } from "../lib/utils";
import { toggleVariants } from "./toggle";

const GroupStyle = createContext<VariantProps<typeof toggleVariants>>({ size: "default", variant: "default" });

export function ToggleGroup({
  className,
  variant,
  size,
  children,
  ...props
}: ComponentProps<typeof ToggleGroupPrimitive.Root> & VariantProps<typeof toggleVariants>) {
  return (
    <ToggleGroupPrimitive.Root
      data-slot="toggle-group"
      data-variant={variant}
      data-size={size}
      className={cn("group/toggle-group flex w-fit items-center rounded-md", className)}
      {...props}
    >
      <GroupStyle.Provider value={{ variant, size }}>{children}</GroupStyle.Provider>
    </ToggleGroupPrimitive.Root>
  );
}

export function ToggleGroupItem({
  className,
  variant,
  size,
  ...props
}: ComponentProps<typeof ToggleGroupPrimitive.Item> & VariantProps<typeof toggleVariants>) {
  const group = useContext(GroupStyle);
  return (
    <ToggleGroupPrimitive.Item
      data-slot="toggle-group-item"
      className={cn(
        toggleVariants({ variant: group.variant || variant, size: group.size || size }),
        "min-w-0 flex-1 shrink-0 rounded-none first:rounded-l-md last:rounded-r-md",
        className,
      )}
      {...props}
    />
  );
}
