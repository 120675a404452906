import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import type { ComponentProps } from "react";
import { DayPicker, getDefaultClassNames } from "react-day-picker";
import { cn } from "../lib/utils";
import { buttonVariants } from "./button";

// react-day-picker styled with Tailwind (its own stylesheet is not loaded): each part's default class kept, so an
// app's CSS can still aim at `.rdp-*`, with ours after it.
const OURS: Record<string, string> = {
  root: "w-fit",
  months: "relative flex flex-col gap-4 md:flex-row",
  month: "flex w-full flex-col gap-4",
  nav: "absolute inset-x-0 top-0 flex w-full items-center justify-between gap-1",
  button_previous: cn(buttonVariants({ variant: "ghost" }), "size-8 p-0 select-none aria-disabled:opacity-50"),
  button_next: cn(buttonVariants({ variant: "ghost" }), "size-8 p-0 select-none aria-disabled:opacity-50"),
  month_caption: "flex h-8 w-full items-center justify-center px-8",
  caption_label: "text-sm font-medium select-none",
  weekdays: "flex",
  weekday: "flex-1 rounded-md text-[0.8rem] font-normal text-muted-foreground select-none",
  week: "mt-2 flex w-full",
  day: "relative aspect-square h-full w-full p-0 text-center select-none",
  day_button: cn(buttonVariants({ variant: "ghost" }), "size-8 p-0 font-normal aria-selected:opacity-100"),
  selected: "[&>button]:bg-primary [&>button]:text-primary-foreground [&>button]:hover:bg-primary",
  today: "[&>button]:bg-accent [&>button]:text-accent-foreground",
  outside: "text-muted-foreground aria-selected:text-muted-foreground",
  disabled: "text-muted-foreground opacity-50",
  range_start: "rounded-l-md bg-accent",
  range_middle: "rounded-none",
  range_end: "rounded-r-md bg-accent",
  hidden: "invisible",
};

export function Calendar({ className, classNames, showOutsideDays = true, components, ...props }: ComponentProps<typeof DayPicker>) {
  const defaults = getDefaultClassNames();
  const merged = Object.fromEntries(
    Object.keys(OURS).map((part) => [part, cn(defaults[part as keyof typeof defaults], OURS[part], classNames?.[part as keyof typeof classNames])]),
  );
  return (
    <DayPicker
      data-slot="calendar"
      showOutsideDays={showOutsideDays}
      className={cn("bg-background p-3", className)}
      classNames={{ ...classNames, ...merged }}
      components={{
        Chevron: ({ orientation, className: chevron }) =>
          orientation === "left" ? <ChevronLeftIcon className={cn("size-4", chevron)} /> : <ChevronRightIcon className={cn("size-4", chevron)} />,
        ...components,
      }}
      {...props}
    />
  );
}
