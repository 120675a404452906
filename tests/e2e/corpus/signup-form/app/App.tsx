import { useState } from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Checkbox } from "@/components/ui/checkbox";
import { Textarea } from "@/components/ui/textarea";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

type Values = { email: string; plan: string; bio: string; terms: boolean };

export default function Signup() {
  const [done, setDone] = useState<Values | null>(null);
  const form = useForm<Values>({ defaultValues: { email: "", plan: "", bio: "", terms: false } });
  const onSubmit = (values: Values) => setDone(values);
  return (
    <div className="mx-auto max-w-md p-6">
      <h1 className="mb-4 text-2xl font-semibold">Create your account</h1>
      {done && (
        <Alert className="mb-4" id="done">
          <AlertTitle>Welcome!</AlertTitle>
          <AlertDescription>Signed up {done.email} on the {done.plan} plan.</AlertDescription>
        </Alert>
      )}
      <Form {...form}>
        <form onSubmit={form.handleSubmit(onSubmit)} className="space-y-4">
          <FormField
            control={form.control}
            name="email"
            rules={{ required: "Email is required", pattern: { value: /.+@.+\..+/, message: "Enter a valid email" } }}
            render={({ field }) => (
              <FormItem>
                <FormLabel>Email</FormLabel>
                <FormControl><Input id="email" placeholder="you@example.com" {...field} /></FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="plan"
            rules={{ required: "Pick a plan" }}
            render={({ field }) => (
              <FormItem>
                <FormLabel>Plan</FormLabel>
                <Select onValueChange={field.onChange} value={field.value}>
                  <FormControl>
                    <SelectTrigger id="plan"><SelectValue placeholder="Choose a plan" /></SelectTrigger>
                  </FormControl>
                  <SelectContent>
                    <SelectItem value="free">Free</SelectItem>
                    <SelectItem value="pro">Pro</SelectItem>
                  </SelectContent>
                </Select>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="bio"
            render={({ field }) => (
              <FormItem>
                <FormLabel>About you</FormLabel>
                <FormControl><Textarea {...field} /></FormControl>
                <FormDescription>Optional.</FormDescription>
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="terms"
            rules={{ validate: (v) => v || "Accept the terms" }}
            render={({ field }) => (
              <FormItem className="flex items-center gap-2">
                <FormControl><Checkbox id="terms" checked={field.value} onCheckedChange={field.onChange} /></FormControl>
                <FormLabel>I accept the terms</FormLabel>
                <FormMessage />
              </FormItem>
            )}
          />
          <Button type="submit" id="submit" className="w-full">Sign up</Button>
        </form>
      </Form>
    </div>
  );
}
