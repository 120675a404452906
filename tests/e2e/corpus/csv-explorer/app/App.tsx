import { useMemo, useState } from "react";
import Papa from "papaparse";
import groupBy from "lodash/groupBy";
import sumBy from "lodash/sumBy";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Collapsible, CollapsibleContent, CollapsibleTrigger } from "@/components/ui/collapsible";
import { Button } from "@/components/ui/button";
import csv from "./sales.csv.ts";

type Row = { region: string; product: string; amount: number };

export default function Explorer() {
  const rows = useMemo(() => Papa.parse<Row>(csv.trim(), { header: true, dynamicTyping: true }).data, []);
  const [key, setKey] = useState<"region" | "product">("region");
  const groups = Object.entries(groupBy(rows, key)).map(([name, items]) => ({ name, total: sumBy(items, "amount") }));
  return (
    <div className="space-y-4 p-6">
      <Select value={key} onValueChange={(v) => setKey(v as "region" | "product")}>
        <SelectTrigger id="group-by" className="w-48"><SelectValue /></SelectTrigger>
        <SelectContent>
          <SelectItem value="region">By region</SelectItem>
          <SelectItem value="product">By product</SelectItem>
        </SelectContent>
      </Select>
      <Table id="totals">
        <TableHeader><TableRow><TableHead>{key}</TableHead><TableHead>Total</TableHead></TableRow></TableHeader>
        <TableBody>
          {groups.map((g) => <TableRow key={g.name}><TableCell>{g.name}</TableCell><TableCell>{g.total}</TableCell></TableRow>)}
        </TableBody>
      </Table>
      <Collapsible>
        <CollapsibleTrigger asChild><Button variant="link" id="raw">Show raw rows</Button></CollapsibleTrigger>
        <CollapsibleContent><pre id="rows">{rows.length} rows</pre></CollapsibleContent>
      </Collapsible>
    </div>
  );
}
