export const initials = (name: string) =>
  name.split(" ").map((part) => part[0]).join("").toUpperCase();

export const money = (value: number) => `$${value.toLocaleString("en-US")}`;
