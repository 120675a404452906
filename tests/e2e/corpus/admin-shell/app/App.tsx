import { Menu } from "lucide-react";
import { Accordion, AccordionContent, AccordionItem, AccordionTrigger } from "@/components/ui/accordion";
import { AspectRatio } from "@/components/ui/aspect-ratio";
import { Breadcrumb, BreadcrumbItem, BreadcrumbLink, BreadcrumbList, BreadcrumbPage, BreadcrumbSeparator } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Carousel, CarouselContent, CarouselItem, CarouselNext, CarouselPrevious } from "@/components/ui/carousel";
import { Drawer, DrawerContent, DrawerHeader, DrawerTitle, DrawerTrigger } from "@/components/ui/drawer";
import { NavigationMenu, NavigationMenuItem, NavigationMenuLink, NavigationMenuList } from "@/components/ui/navigation-menu";
import { ResizableHandle, ResizablePanel, ResizablePanelGroup } from "@/components/ui/resizable";
import { Sheet, SheetContent, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { Tooltip, TooltipContent, TooltipProvider, TooltipTrigger } from "@/components/ui/tooltip";

export default function AdminShell() {
  return (
    <TooltipProvider>
      <div className="p-4">
        <header className="flex items-center gap-3 border-b pb-3">
          <Sheet>
            <SheetTrigger asChild><Button id="open-nav" variant="ghost" size="icon"><Menu className="h-5 w-5" /></Button></SheetTrigger>
            <SheetContent side="left">
              <SheetHeader><SheetTitle>Navigation</SheetTitle></SheetHeader>
              <nav id="nav-links" className="mt-4 grid gap-2"><a href="#users">Users</a><a href="#billing">Billing</a></nav>
            </SheetContent>
          </Sheet>
          <NavigationMenu>
            <NavigationMenuList>
              <NavigationMenuItem><NavigationMenuLink href="#home">Home</NavigationMenuLink></NavigationMenuItem>
            </NavigationMenuList>
          </NavigationMenu>
          <Breadcrumb>
            <BreadcrumbList>
              <BreadcrumbItem><BreadcrumbLink href="#">Admin</BreadcrumbLink></BreadcrumbItem>
              <BreadcrumbSeparator />
              <BreadcrumbItem><BreadcrumbPage>Users</BreadcrumbPage></BreadcrumbItem>
            </BreadcrumbList>
          </Breadcrumb>
          <Tooltip>
            <TooltipTrigger asChild><Button variant="outline" size="sm">Help</Button></TooltipTrigger>
            <TooltipContent>Ask the team</TooltipContent>
          </Tooltip>
        </header>
        <ResizablePanelGroup direction="horizontal" className="mt-4 min-h-[200px] rounded-lg border">
          <ResizablePanel defaultSize={40}>
            <Accordion type="single" collapsible className="p-3">
              <AccordionItem value="faq">
                <AccordionTrigger id="faq">What is this?</AccordionTrigger>
                <AccordionContent>An admin shell.</AccordionContent>
              </AccordionItem>
            </Accordion>
          </ResizablePanel>
          <ResizableHandle />
          <ResizablePanel defaultSize={60}>
            <div className="w-64 p-3">
              <AspectRatio ratio={16 / 9} className="rounded bg-muted" />
              <Carousel className="mx-10 mt-3">
                <CarouselContent>{[1, 2, 3].map((n) => <CarouselItem key={n}>Slide {n}</CarouselItem>)}</CarouselContent>
                <CarouselPrevious />
                <CarouselNext />
              </Carousel>
            </div>
          </ResizablePanel>
        </ResizablePanelGroup>
        <Drawer>
          <DrawerTrigger asChild><Button className="mt-4" variant="secondary">Activity</Button></DrawerTrigger>
          <DrawerContent><DrawerHeader><DrawerTitle>Recent activity</DrawerTitle></DrawerHeader></DrawerContent>
        </Drawer>
      </div>
    </TooltipProvider>
  );
}
