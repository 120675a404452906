import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Card, CardContent } from "@/components/ui/card";
import { initials, money } from "../lib/format";
import type { Contact } from "../lib/data";

export default function ContactList({ contacts }: { contacts: Contact[] }) {
  return (
    <div className="grid gap-3">
      {contacts.map((contact) => (
        <Card key={contact.email} data-contact={contact.email}>
          <CardContent className="flex items-center gap-3 p-4">
            <Avatar><AvatarFallback>{initials(contact.name)}</AvatarFallback></Avatar>
            <div>
              <div className="font-medium">{contact.name}</div>
              <div className="text-sm text-muted-foreground">{money(contact.value)}</div>
            </div>
          </CardContent>
        </Card>
      ))}
    </div>
  );
}
