import type { ComponentProps } from "react";

export function AspectRatio({ ratio = 1, style, ...props }: ComponentProps<"div"> & { ratio?: number }) {
  return <div data-slot="aspect-ratio" style={{ aspectRatio: String(ratio), ...style }} {...props} />;
}
