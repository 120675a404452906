import * as CollapsiblePrimitive from "@radix-ui/react-collapsible";
import { wrap } from "./_wrap";

export const Collapsible = wrap(CollapsiblePrimitive.Root, "collapsible");
export const CollapsibleTrigger = wrap(CollapsiblePrimitive.CollapsibleTrigger, "collapsible-trigger");
export const CollapsibleContent = wrap(CollapsiblePrimitive.CollapsibleContent, "collapsible-content");
