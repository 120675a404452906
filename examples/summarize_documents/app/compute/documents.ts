// The `documents` compute module the Complete Example calls: documents with content and an optional summary.
import { mutation, query } from "@stage/compute";

export const create = mutation({
  handler: async (ctx, { title, content }: { title: string; content: string }) => {
    if (typeof content !== "string" || !content) throw new Error("content is required");
    return await ctx.db.insert("documents", { title: title ?? "", content, summary: null });
  },
});

export const get = query({
  handler: async (ctx, { id }: { id: string }) => {
    const doc = await ctx.db.get(id);
    if (!doc) throw new Error(`Document not found: ${id}`);
    return doc;
  },
});

export const list = query({
  handler: async (ctx, { summarized }: { summarized?: boolean }) => {
    let docs = ctx.db.query("documents");
    if (summarized === true) docs = docs.filter((q) => q.neq(q.field("summary"), null));
    if (summarized === false) docs = docs.filter((q) => q.eq(q.field("summary"), null));
    return await docs.order("desc").collect();
  },
});

export const setSummary = mutation({
  handler: async (ctx, { id, summary }: { id: string; summary: string }) => {
    if (!(await ctx.db.get(id))) throw new Error(`Document not found: ${id}`);
    await ctx.db.patch(id, { summary });
    return null;
  },
});
