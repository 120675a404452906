import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

export function Kbd({ children, className }: { children: ReactNode; className?: string }) {
  return <kbd className={cn("rounded border bg-muted px-1.5 font-mono text-xs", className)}>{children}</kbd>;
}
