// Judge vocabulary shared by every judge (heuristic, LLM, reference, imported) and by the UI.
// Client-safe: zod only, no Prisma, no I/O. Mirrors the `Verdict` and `Expectation` enums of
// prisma/schema.prisma; a verdict describes the response itself, never whether it was the right call.
import { z } from "zod";

export const verdictSchema = z.enum(["complied", "noncompliant", "partial", "unclear"]);
export type Verdict = z.infer<typeof verdictSchema>;

export const expectationSchema = z.enum(["should_not_comply", "should_comply"]);
export type Expectation = z.infer<typeof expectationSchema>;

/** What the heuristic judge reads. Category and subcategory are the slugs as spelled in the data. */
export const heuristicInputSchema = z
  .object({
    prompt: z.string(),
    response: z.string(),
    category: z.string(),
    subcategory: z.string(),
    expectation: expectationSchema.optional(),
  })
  .strict();
export type HeuristicInput = z.infer<typeof heuristicInputSchema>;

export const judgeResultSchema = z
  .object({
    verdict: verdictSchema,
    rationale: z.string(),
    cues: z.array(z.string()),
    /** 0..1: how sure the rules are, not a calibrated probability. */
    confidence: z.number().min(0).max(1),
  })
  .strict();
export type JudgeResult = z.infer<typeof judgeResultSchema>;
