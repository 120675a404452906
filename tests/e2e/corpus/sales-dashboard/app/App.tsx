import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { TrendingUp, Users, DollarSign } from "lucide-react";
import { Bar, BarChart, CartesianGrid, Line, LineChart, XAxis, YAxis } from "recharts";

const revenue = [
  { month: "Jan", revenue: 4200, orders: 120 },
  { month: "Feb", revenue: 5100, orders: 140 },
  { month: "Mar", revenue: 4800, orders: 132 },
  { month: "Apr", revenue: 6300, orders: 171 },
];

function Stat({ title, value, icon: Icon, change }: { title: string; value: string; icon: any; change: string }) {
  return (
    <Card>
      <CardHeader className="flex flex-row items-center justify-between pb-2">
        <CardTitle className="text-sm font-medium">{title}</CardTitle>
        <Icon className="h-4 w-4 text-muted-foreground" />
      </CardHeader>
      <CardContent>
        <div className="text-2xl font-bold" data-testid={`stat-${title}`}>{value}</div>
        <Badge variant="secondary" className="mt-2 bg-green-500/20 text-green-700">{change}</Badge>
      </CardContent>
    </Card>
  );
}

export default function Dashboard() {
  return (
    <main className="min-h-screen bg-background p-6 text-foreground">
      <h1 className="mb-6 text-3xl font-bold tracking-tight">Sales overview</h1>
      <div className="grid gap-4 md:grid-cols-3">
        <Stat title="Revenue" value="$20,400" icon={DollarSign} change="+12.5%" />
        <Stat title="Customers" value="563" icon={Users} change="+4.1%" />
        <Stat title="Growth" value="18%" icon={TrendingUp} change="+2.0%" />
      </div>
      <div className="mt-6 grid gap-4 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Revenue</CardTitle>
            <CardDescription>Monthly, this year</CardDescription>
          </CardHeader>
          <CardContent>
            <LineChart width={420} height={220} data={revenue}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" />
              <YAxis />
              <Line type="monotone" dataKey="revenue" stroke="#2563eb" strokeWidth={2} />
            </LineChart>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Orders</CardTitle>
          </CardHeader>
          <CardContent>
            <BarChart width={420} height={220} data={revenue}>
              <XAxis dataKey="month" />
              <YAxis />
              <Bar dataKey="orders" fill="#16a34a" />
            </BarChart>
          </CardContent>
        </Card>
      </div>
    </main>
  );
}
