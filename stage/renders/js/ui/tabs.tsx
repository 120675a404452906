import * as TabsPrimitive from "@radix-ui/react-tabs";
import { wrap } from "./_wrap";

export const Tabs = wrap(TabsPrimitive.Root, "tabs", "flex flex-col gap-2");
export const TabsList = wrap(
  TabsPrimitive.List,
  "tabs-list",
  "inline-flex h-9 w-fit items-center justify-center rounded-lg bg-muted p-[3px] text-muted-foreground",
);
export const TabsTrigger = wrap(
  TabsPrimitive.Trigger,
  "tabs-trigger",
  "inline-flex h-[calc(100%-1px)] flex-1 items-center justify-center gap-1.5 rounded-md border border-transparent " +
    "px-2 py-1 text-sm font-medium whitespace-nowrap transition-[color,box-shadow] disabled:opacity-50 " +
    "data-[state=active]:bg-background data-[state=active]:text-foreground data-[state=active]:shadow-sm",
);
export const TabsContent = wrap(TabsPrimitive.Content, "tabs-content", "flex-1 outline-none");
