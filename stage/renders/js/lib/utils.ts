// `cn` from "@/lib/utils": class names joined (clsx) with later Tailwind classes winning over earlier ones that set
// the same thing (tailwind-merge), as shadcn/ui's components and apps use it.
import { type ClassValue, clsx } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
