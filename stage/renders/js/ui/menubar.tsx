import * as MenubarPrimitive from "@radix-ui/react-menubar";
import { menuParts } from "./_menu";
import { wrap } from "./_wrap";

const parts = menuParts(MenubarPrimitive, "menubar");

export const Menubar = wrap(
  MenubarPrimitive.Root,
  "menubar",
  "flex h-9 items-center gap-1 rounded-md border bg-background p-1 shadow-xs",
);
export const MenubarMenu = wrap(MenubarPrimitive.Menu, "menubar-menu");
export const MenubarTrigger = wrap(
  MenubarPrimitive.Trigger,
  "menubar-trigger",
  "flex items-center rounded-sm px-2 py-1 text-sm font-medium outline-hidden select-none " +
    "focus:bg-accent data-[state=open]:bg-accent data-[state=open]:text-accent-foreground",
);
export const MenubarPortal = wrap(MenubarPrimitive.Portal, "menubar-portal");
export const {
  Content: MenubarContent,
  Item: MenubarItem,
  CheckboxItem: MenubarCheckboxItem,
  RadioItem: MenubarRadioItem,
  RadioGroup: MenubarRadioGroup,
  Group: MenubarGroup,
  Label: MenubarLabel,
  Separator: MenubarSeparator,
  Shortcut: MenubarShortcut,
  Sub: MenubarSub,
  SubTrigger: MenubarSubTrigger,
  SubContent: MenubarSubContent,
} = parts;
