// Browse filters, parsed from the URL (shareable, back button works). Client-safe.
import { z } from "zod";
import { tooLong } from "../limits/text";
import { labelSourceKinds } from "../results/schema";

const verdict = z.enum(["complied", "noncompliant", "partial", "unclear"]);
const id = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must be an id");
const flag = z.enum(["1"]);

export const browseFilterSchema = z
  .object({
    dataset: id.optional(),
    run: id.optional(),
    category: z.string().trim().min(1).max(200, tooLong(200)).optional(),
    subcategory: id.optional(),
    expectation: z.enum(["should_not_comply", "should_comply"]).optional(),
    source: z.enum(labelSourceKinds).optional(),
    judge: id.optional(),
    judgeVerdict: verdict.optional(),
    humanVerdict: verdict.optional(),
    finalVerdict: verdict.optional(),
    /** Only responses with a verdict under the label source (what a Results cell counts). */
    labelled: flag.optional(),
    /** Judge verdict differs from the human final verdict (both present). */
    disagree: flag.optional(),
    annotator: id.optional(),
    q: z.string().trim().min(1).max(200, tooLong(200)).optional(),
    sort: z.enum(["newest", "oldest"]).optional(),
    after: id.optional(),
  })
  .strict();
export type BrowseFilter = z.infer<typeof browseFilterSchema>;

export const BROWSE_PAGE_SIZE = 50;

/** URL search params → filter; empty values are dropped; unknown or bad parameters are reported by name. */
export function parseBrowseParams(params: Record<string, string | string[] | undefined>): { filter: BrowseFilter; errors: string[] } {
  // No prototype: "__proto__" is then a key like any other (reported as unknown), not a prototype change.
  const raw: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(params)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== "") raw[k] = value;
  }
  const parsed = browseFilterSchema.safeParse(raw);
  if (parsed.success) return { filter: parsed.data, errors: [] };
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
  const errors = parsed.error.issues.map((i) =>
    i.code === "unrecognized_keys" ? `Unknown filter ${(i as { keys: string[] }).keys.map((k) => `"${k}"`).join(", ")} was ignored.` : `Filter "${String(i.path[0])}": ${i.message}; it was ignored.`,
  );
  const kept = Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k) && Object.hasOwn(browseFilterSchema.shape, k)));
  return { filter: browseFilterSchema.parse(kept), errors };
}

export function browseHref(filter: BrowseFilter): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `/browse?${s}` : "/browse";
}
