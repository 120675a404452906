import { useState } from "react";
import { messages, sendMessage } from "@stage/convex";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ScrollArea } from "@/components/ui/scroll-area";
import { Separator } from "@/components/ui/separator";

export default function Chat() {
  const [draft, setDraft] = useState("");
  const send = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    await sendMessage(draft, "user");
    setDraft("");
  };
  return (
    <div className="mx-auto flex max-w-lg flex-col gap-3 p-6">
      <h1 className="text-xl font-semibold">Team chat</h1>
      <Separator />
      <ScrollArea className="h-64 rounded-md border p-3">
        <ul id="messages" className="space-y-2">
          {messages.map((m) => (
            <li key={m.id} className={m.sender === "agent" ? "text-blue-600" : ""}>
              <b>{m.sender}</b>: {m.text}
            </li>
          ))}
        </ul>
      </ScrollArea>
      <form onSubmit={send} className="flex gap-2">
        <Input id="draft" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Say something" />
        <Button type="submit" id="send">Send</Button>
      </form>
    </div>
  );
}
