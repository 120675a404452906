import { useState } from "react";
import { kv } from "@stage/kv";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { Slider } from "@/components/ui/slider";

type Settings = { notifications: boolean; volume: number };
const DEFAULTS: Settings = { notifications: false, volume: 50 };

export default function SettingsPage() {
  const [saved, setSaved] = useState<Settings>(kv.get<Settings>("settings") ?? DEFAULTS);
  const [draft, setDraft] = useState<Settings>(saved);
  const [open, setOpen] = useState(false);
  const save = async () => {
    await kv.set("settings", draft);
    setSaved(draft);
    setOpen(false);
  };
  return (
    <div className="p-6">
      <p id="summary" className="mb-4 text-sm text-muted-foreground">
        Notifications {saved.notifications ? "on" : "off"}, volume {saved.volume}
      </p>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogTrigger asChild><Button id="edit" variant="outline">Edit settings</Button></DialogTrigger>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Settings</DialogTitle>
            <DialogDescription>Saved for this session.</DialogDescription>
          </DialogHeader>
          <div className="flex items-center gap-3">
            <Switch id="notifications" checked={draft.notifications} onCheckedChange={(v) => setDraft({ ...draft, notifications: v })} />
            <Label htmlFor="notifications">Notifications</Label>
          </div>
          <Slider value={[draft.volume]} max={100} step={10} onValueChange={([v]) => setDraft({ ...draft, volume: v })} />
          <DialogFooter><Button id="save" onClick={save}>Save</Button></DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
