import { useState } from "react";
import { CalendarIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Calendar } from "@/components/ui/calendar";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { HoverCard, HoverCardContent, HoverCardTrigger } from "@/components/ui/hover-card";
import { AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger } from "@/components/ui/alert-dialog";

export default function Booking() {
  const [date, setDate] = useState<Date | undefined>();
  const [booked, setBooked] = useState(false);
  return (
    <div className="space-y-4 p-6">
      <Popover>
        <PopoverTrigger asChild>
          <Button id="pick" variant="outline" className="w-[240px] justify-start">
            <CalendarIcon className="mr-2 h-4 w-4" />
            {date ? date.toDateString() : "Pick a date"}
          </Button>
        </PopoverTrigger>
        <PopoverContent className="w-auto p-0">
          <Calendar mode="single" selected={date} onSelect={setDate} />
        </PopoverContent>
      </Popover>
      <HoverCard>
        <HoverCardTrigger className="underline">Opening hours</HoverCardTrigger>
        <HoverCardContent>Mon–Fri, 9:00–17:00</HoverCardContent>
      </HoverCard>
      <AlertDialog>
        <AlertDialogTrigger asChild><Button id="book" disabled={!date}>Book</Button></AlertDialogTrigger>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Confirm the booking?</AlertDialogTitle>
            <AlertDialogDescription>You can cancel up to a day before.</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction id="confirm" onClick={() => setBooked(true)}>Confirm</AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
      {booked && <p id="booked" className="font-medium text-green-700">Booked</p>}
    </div>
  );
}
