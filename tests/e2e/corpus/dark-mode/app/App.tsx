import { useState } from "react";
import { Moon, Sun } from "lucide-react";
import { Toggle } from "@/components/ui/toggle";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

export default function Themed() {
  const [dark, setDark] = useState(false);
  return (
    <div id="root-theme" className={dark ? "dark" : ""}>
      <div id="surface" className="min-h-screen bg-background p-6 text-foreground">
        <Toggle id="theme" pressed={dark} onPressedChange={setDark} aria-label="Dark mode">
          {dark ? <Moon className="h-4 w-4" /> : <Sun className="h-4 w-4" />}
        </Toggle>
        <Card className="mt-4 max-w-sm">
          <CardHeader>
            <CardTitle>Profile</CardTitle>
            <CardDescription className="dark:text-slate-300">Loading the details…</CardDescription>
          </CardHeader>
          <CardContent className="space-y-2">
            <Skeleton className="h-4 w-[250px]" />
            <Skeleton className="h-4 w-[200px]" />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
