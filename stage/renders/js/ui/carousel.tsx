import useEmblaCarousel, { type UseEmblaCarouselType } from "embla-carousel-react";
import { ArrowLeftIcon, ArrowRightIcon } from "lucide-react";
import { type ComponentProps, createContext, type KeyboardEvent, useCallback, useContext, useEffect, useState } from "react";
import { cn } from "../lib/utils";
import { Button } from "./button";

type CarouselApi = UseEmblaCarouselType[1];
type CarouselOptions = Parameters<typeof useEmblaCarousel>[0];
type CarouselPlugins = Parameters<typeof useEmblaCarousel>[1];
type Orientation = "horizontal" | "vertical";

const CarouselContext = createContext<{
  carouselRef: UseEmblaCarouselType[0];
  api: CarouselApi;
  orientation: Orientation;
  scrollPrev: () => void;
  scrollNext: () => void;
  canScrollPrev: boolean;
  canScrollNext: boolean;
} | null>(null);

function useCarousel() {
  const context = useContext(CarouselContext);
  if (!context) throw new Error("useCarousel must be used within a <Carousel />");
  return context;
}

export function Carousel({
  orientation = "horizontal",
  opts,
  plugins,
  setApi,
  className,
  children,
  ...props
}: ComponentProps<"div"> & { opts?: CarouselOptions; plugins?: CarouselPlugins; orientation?: Orientation; setApi?: (api: CarouselApi) => void }) {
  const [carouselRef, api] = useEmblaCarousel({ ...opts, axis: orientation === "horizontal" ? "x" : "y" }, plugins);
  const [canScrollPrev, setCanScrollPrev] = useState(false);
  const [canScrollNext, setCanScrollNext] = useState(false);
  const onSelect = useCallback((current: CarouselApi) => {
    if (!current) return;
    setCanScrollPrev(current.canScrollPrev());
    setCanScrollNext(current.canScrollNext());
  }, []);
  const scrollPrev = useCallback(() => api?.scrollPrev(), [api]);
  const scrollNext = useCallback(() => api?.scrollNext(), [api]);
  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      if (event.key === "ArrowLeft") (event.preventDefault(), scrollPrev());
      else if (event.key === "ArrowRight") (event.preventDefault(), scrollNext());
    },
    [scrollPrev, scrollNext],
  );
  useEffect(() => {
    if (api && setApi) setApi(api);
  }, [api, setApi]);
  useEffect(() => {
    if (!api) return;
    onSelect(api);
    api.on("reInit", onSelect);
    api.on("select", onSelect);
    return () => {
      api.off("select", onSelect);
    };
  }, [api, onSelect]);
  return (
    <CarouselContext.Provider value={{ carouselRef, api, orientation, scrollPrev, scrollNext, canScrollPrev, canScrollNext }}>
      <div
        onKeyDownCapture={onKeyDown}
        className={cn("relative", className)}
        role="region"
        aria-roledescription="carousel"
        data-slot="carousel"
        {...props}
      >
        {children}
      </div>
    </CarouselContext.Provider>
  );
}

export function CarouselContent({ className, ...props }: ComponentProps<"div">) {
  const { carouselRef, orientation } = useCarousel();
  return (
    <div ref={carouselRef} className="overflow-hidden" data-slot="carousel-content">
      <div className={cn("flex", orientation === "horizontal" ? "-ml-4" : "-mt-4 flex-col", className)} {...props} />
    </div>
  );
}

export function CarouselItem({ className, ...props }: ComponentProps<"div">) {
  const { orientation } = useCarousel();
  return (
    <div
      role="group"
      aria-roledescription="slide"
      data-slot="carousel-item"
      className={cn("min-w-0 shrink-0 grow-0 basis-full", orientation === "horizontal" ? "pl-4" : "pt-4", className)}
      {...props}
    />
  );
}

function Arrow({ direction, className, variant = "outline", size = "icon", ...props }: ComponentProps<typeof Button> & { direction: "previous" | "next" }) {
  const { orientation, scrollPrev, scrollNext, canScrollPrev, canScrollNext } = useCarousel();
  const previous = direction === "previous";
  const place = orientation === "horizontal"
    ? previous ? "top-1/2 -left-12 -translate-y-1/2" : "top-1/2 -right-12 -translate-y-1/2"
    : previous ? "-top-12 left-1/2 -translate-x-1/2 rotate-90" : "-bottom-12 left-1/2 -translate-x-1/2 rotate-90";
  return (
    <Button
      data-slot={`carousel-${direction}`}
      variant={variant}
      size={size}
      className={cn("absolute size-8 rounded-full", place, className)}
      disabled={previous ? !canScrollPrev : !canScrollNext}
      onClick={previous ? scrollPrev : scrollNext}
      {...props}
    >
      {previous ? <ArrowLeftIcon /> : <ArrowRightIcon />}
      <span className="sr-only">{previous ? "Previous slide" : "Next slide"}</span>
    </Button>
  );
}

export function CarouselPrevious(props: ComponentProps<typeof Button>) {
  return <Arrow direction="previous" {...props} />;
}

export function CarouselNext(props: ComponentProps<typeof Button>) {
  return <Arrow direction="next" {...props} />;
}

export type { CarouselApi };
