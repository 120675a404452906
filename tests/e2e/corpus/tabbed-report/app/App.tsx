import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Progress } from "@/components/ui/progress";
import { ToggleGroup, ToggleGroupItem } from "@/components/ui/toggle-group";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { Label } from "@/components/ui/label";
import { useState } from "react";

const tasks = [
  { name: "Design", done: 80 },
  { name: "Build", done: 45 },
  { name: "Launch", done: 10 },
];

export default function Report() {
  const [view, setView] = useState("all");
  const shown = view === "all" ? tasks : tasks.filter((t) => t.done >= 45);
  return (
    <div className="p-6">
      <Tabs defaultValue="progress" className="w-full">
        <TabsList>
          <TabsTrigger value="progress" id="tab-progress">Progress</TabsTrigger>
          <TabsTrigger value="table" id="tab-table">Table</TabsTrigger>
        </TabsList>
        <TabsContent value="progress" className="space-y-3">
          <ToggleGroup type="single" value={view} onValueChange={(v) => v && setView(v)}>
            <ToggleGroupItem value="all" id="all">All</ToggleGroupItem>
            <ToggleGroupItem value="started" id="started">Well started</ToggleGroupItem>
          </ToggleGroup>
          {shown.map((t) => (
            <div key={t.name} className="space-y-1" data-task={t.name}>
              <span className="text-sm">{t.name}</span>
              <Progress value={t.done} />
            </div>
          ))}
        </TabsContent>
        <TabsContent value="table">
          <Table id="report-table">
            <TableCaption>Where each task stands</TableCaption>
            <TableHeader><TableRow><TableHead>Task</TableHead><TableHead>Done</TableHead></TableRow></TableHeader>
            <TableBody>
              {tasks.map((t) => (
                <TableRow key={t.name}><TableCell>{t.name}</TableCell><TableCell>{t.done}%</TableCell></TableRow>
              ))}
            </TableBody>
          </Table>
          <RadioGroup defaultValue="weekly" className="mt-4">
            <div className="flex items-center gap-2"><RadioGroupItem value="weekly" id="weekly" /><Label htmlFor="weekly">Weekly</Label></div>
            <div className="flex items-center gap-2"><RadioGroupItem value="monthly" id="monthly" /><Label htmlFor="monthly">Monthly</Label></div>
          </RadioGroup>
        </TabsContent>
      </Tabs>
    </div>
  );
}
