import * as AvatarPrimitive from "@radix-ui/react-avatar";
import { wrap } from "./_wrap";

export const Avatar = wrap(AvatarPrimitive.Root, "avatar", "relative flex size-8 shrink-0 overflow-hidden rounded-full");
export const AvatarImage = wrap(AvatarPrimitive.Image, "avatar-image", "aspect-square size-full");
export const AvatarFallback = wrap(
  AvatarPrimitive.Fallback,
  "avatar-fallback",
  "flex size-full items-center justify-center rounded-full bg-muted",
);
