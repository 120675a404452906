// A complete backend: Hono routes that summarize documents with @stage/inference and keep them with @stage/compute.
import { Hono } from "hono";
import { inference } from "@stage/inference";
import { compute } from "@stage/compute";
import { fetchWithRetry } from "@stage/utils";

const app = new Hono();

app.get("/health", (c) => c.json({ status: "ok" }));

app.post("/summarize", async (c) => {
  const { documentId } = await c.req.json();

  // Fetch document from compute
  const doc = await compute.query("documents", "get", { id: documentId });

  // Summarize with AI
  const result = await inference.chat({
    model: "gpt-4o-mini",
    messages: [
      { role: "user", content: `Summarize: ${doc.content}` },
    ],
  });

  // Store the summary
  const summary = result.content[0]?.text ?? "";
  await compute.mutation("documents", "setSummary", {
    id: documentId,
    summary,
  });

  return c.json({ summary });
});

export default app;
