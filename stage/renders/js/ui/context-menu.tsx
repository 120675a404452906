import * as ContextMenuPrimitive from "@radix-ui/react-context-menu";
import { menuParts } from "./_menu";
import { wrap } from "./_wrap";

const parts = menuParts(ContextMenuPrimitive, "context-menu");

export const ContextMenu = wrap(ContextMenuPrimitive.Root, "context-menu");
export const ContextMenuTrigger = wrap(ContextMenuPrimitive.Trigger, "context-menu-trigger");
export const ContextMenuPortal = wrap(ContextMenuPrimitive.Portal, "context-menu-portal");
export const {
  Content: ContextMenuContent,
  Item: ContextMenuItem,
  CheckboxItem: ContextMenuCheckboxItem,
  RadioItem: ContextMenuRadioItem,
  RadioGroup: ContextMenuRadioGroup,
  Group: ContextMenuGroup,
  Label: ContextMenuLabel,
  Separator: ContextMenuSeparator,
  Shortcut: ContextMenuShortcut,
  Sub: ContextMenuSub,
  SubTrigger: ContextMenuSubTrigger,
  SubContent: ContextMenuSubContent,
} = parts;
