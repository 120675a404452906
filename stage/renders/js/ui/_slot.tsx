// `asChild` for the components that take it: render the one child element instead, with the component's props
// merged into it (its className joined after ours, its handlers kept).
import { Children, cloneElement, isValidElement, type ReactElement } from "react";
import { cn } from "../lib/utils";

export function Slot({ children, className, ...props }: { children?: React.ReactNode; className?: string; [key: string]: unknown }) {
  const child = Children.only(children) as ReactElement<{ className?: string }>;
  if (!isValidElement(child)) return null;
  return cloneElement(child, { ...props, ...child.props, className: cn(className, child.props.className) });
}
