import { useState } from "react";
import { Command, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList, CommandSeparator } from "@/components/ui/command";
import { Menubar, MenubarContent, MenubarItem, MenubarMenu, MenubarTrigger } from "@/components/ui/menubar";
import { Kbd } from "./Kbd";

const ACTIONS = ["New file", "Open recent", "Share", "Settings"];

export default function Palette() {
  const [last, setLast] = useState("nothing yet");
  return (
    <div className="space-y-4 p-6">
      <Menubar>
        <MenubarMenu>
          <MenubarTrigger>File</MenubarTrigger>
          <MenubarContent><MenubarItem onSelect={() => setLast("Quit")}>Quit</MenubarItem></MenubarContent>
        </MenubarMenu>
      </Menubar>
      <Command className="rounded-lg border shadow-md">
        <CommandInput id="search" placeholder="Type a command…" />
        <CommandList>
          <CommandEmpty>No results.</CommandEmpty>
          <CommandGroup heading="Actions">
            {ACTIONS.map((action) => (
              <CommandItem key={action} onSelect={() => setLast(action)}>{action}</CommandItem>
            ))}
          </CommandGroup>
          <CommandSeparator />
        </CommandList>
      </Command>
      <p id="last">Last: {last} <Kbd>⌘K</Kbd></p>
    </div>
  );
}
