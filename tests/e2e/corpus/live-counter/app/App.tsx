import { liveData, setLiveData } from "@stage/convex";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";

export default function Counter() {
  const count: number = liveData?.count ?? 0;
  return (
    <Card className="m-6 max-w-xs">
      <CardHeader><CardTitle>Shared counter</CardTitle></CardHeader>
      <CardContent className="flex items-center gap-4">
        <span id="count" className="text-4xl font-bold tabular-nums">{count}</span>
        <Button id="increment" onClick={() => setLiveData({ count: count + 1 })}>+1</Button>
      </CardContent>
    </Card>
  );
}
