import * as DropdownMenuPrimitive from "@radix-ui/react-dropdown-menu";
import { menuParts } from "./_menu";
import { wrap } from "./_wrap";

const parts = menuParts(DropdownMenuPrimitive, "dropdown-menu");

export const DropdownMenu = wrap(DropdownMenuPrimitive.Root, "dropdown-menu");
export const DropdownMenuTrigger = wrap(DropdownMenuPrimitive.Trigger, "dropdown-menu-trigger");
export const DropdownMenuPortal = wrap(DropdownMenuPrimitive.Portal, "dropdown-menu-portal");
export const {
  Content: DropdownMenuContent,
  Item: DropdownMenuItem,
  CheckboxItem: DropdownMenuCheckboxItem,
  RadioItem: DropdownMenuRadioItem,
  RadioGroup: DropdownMenuRadioGroup,
  Group: DropdownMenuGroup,
  Label: DropdownMenuLabel,
  Separator: DropdownMenuSeparator,
  Shortcut: DropdownMenuShortcut,
  Sub: DropdownMenuSub,
  SubTrigger: DropdownMenuSubTrigger,
  SubContent: DropdownMenuSubContent,
} = parts;
