import type { ComponentProps } from "react";
import { cn } from "../lib/utils";
import { wrap } from "./_wrap";

export function Table({ className, ...props }: ComponentProps<"table">) {
  return (
    <div data-slot="table-container" className="relative w-full overflow-x-auto">
      <table data-slot="table" className={cn("w-full caption-bottom text-sm", className)} {...props} />
    </div>
  );
}

export const TableHeader = wrap("thead", "table-header", "[&_tr]:border-b");
export const TableBody = wrap("tbody", "table-body", "[&_tr:last-child]:border-0");
export const TableFooter = wrap("tfoot", "table-footer", "border-t bg-muted/50 font-medium");
export const TableRow = wrap(
  "tr",
  "table-row",
  "border-b transition-colors hover:bg-muted/50 data-[state=selected]:bg-muted",
);
export const TableHead = wrap(
  "th",
  "table-head",
  "h-10 px-2 text-left align-middle font-medium whitespace-nowrap text-foreground",
);
export const TableCell = wrap("td", "table-cell", "p-2 align-middle whitespace-nowrap");
export const TableCaption = wrap("caption", "table-caption", "mt-4 text-sm text-muted-foreground");
