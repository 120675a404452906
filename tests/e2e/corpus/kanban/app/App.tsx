import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import {
  DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { ContextMenu, ContextMenuContent, ContextMenuItem, ContextMenuTrigger } from "@/components/ui/context-menu";
import { MoreHorizontal } from "lucide-react";

const COLUMNS = ["Todo", "Doing", "Done"] as const;
type Column = (typeof COLUMNS)[number];

export default function Board() {
  const [cards, setCards] = useState([{ id: 1, title: "Write spec", column: "Todo" as Column }]);
  const move = (id: number, column: Column) => setCards(cards.map((c) => (c.id === id ? { ...c, column } : c)));
  return (
    <div className="grid grid-cols-3 gap-4 p-6">
      {COLUMNS.map((column) => (
        <section key={column} data-column={column} className="rounded-lg bg-muted p-3">
          <h2 className="mb-2 font-semibold">{column} <Badge variant="outline">{cards.filter((c) => c.column === column).length}</Badge></h2>
          {cards.filter((c) => c.column === column).map((card) => (
            <ContextMenu key={card.id}>
              <ContextMenuTrigger>
                <Card>
                  <CardHeader className="flex flex-row items-center justify-between p-3">
                    <CardTitle className="text-sm">{card.title}</CardTitle>
                    <DropdownMenu>
                      <DropdownMenuTrigger asChild>
                        <Button variant="ghost" size="icon" id={`menu-${card.id}`}><MoreHorizontal className="h-4 w-4" /></Button>
                      </DropdownMenuTrigger>
                      <DropdownMenuContent>
                        <DropdownMenuLabel>Move to</DropdownMenuLabel>
                        <DropdownMenuSeparator />
                        {COLUMNS.filter((c) => c !== column).map((target) => (
                          <DropdownMenuItem key={target} onSelect={() => move(card.id, target)}>{target}</DropdownMenuItem>
                        ))}
                      </DropdownMenuContent>
                    </DropdownMenu>
                  </CardHeader>
                </Card>
              </ContextMenuTrigger>
              <ContextMenuContent><ContextMenuItem onSelect={() => move(card.id, "Done")}>Mark done</ContextMenuItem></ContextMenuContent>
            </ContextMenu>
          ))}
        </section>
      ))}
    </div>
  );
}
