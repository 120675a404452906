export type Contact = { name: string; email: string; value: number };

export const contacts: Contact[] = [
  { name: "Ada Lovelace", email: "ada@example.com", value: 12000 },
  { name: "Grace Hopper", email: "grace@example.com", value: 8500 },
];
