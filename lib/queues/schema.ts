// Annotation queue inputs, shared by the API routes, the pages and tests. Client-safe.
import { z } from "zod";
import { browseFilterSchema } from "../browse/schema";
import { TEXT_LIMITS, tooLong } from "../limits/text";

export const VERDICT_KEYS = [
  { key: "1", verdict: "complied", label: "Complied" },
  { key: "2", verdict: "noncompliant", label: "Noncompliant" },
  { key: "3", verdict: "partial", label: "Partial" },
  { key: "4", verdict: "unclear", label: "Unclear" },
] as const;
export type VerdictName = (typeof VERDICT_KEYS)[number]["verdict"];
export const verdictSchema = z.enum(["complied", "noncompliant", "partial", "unclear"]);

const id = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must be an id");

/** Reservations expire after this long without a submit; the slot goes back to the pool. */
export const RESERVATION_MS = 10 * 60 * 1000;
/** At most this many items per queue (a queue is a sample to check, not a whole corpus). */
export const MAX_QUEUE_ITEMS = 20_000;

export const selectionSchema = z.discriminatedUnion("kind", [
  /** Exactly the responses a Browse URL shows (its filters; cursor and sort are ignored). */
  z.object({ kind: z.literal("browse"), filter: browseFilterSchema }).strict(),
  /** N responses per subcategory × run, drawn at random (reproducible from the seed). */
  z
    .object({
      kind: z.literal("stratified"),
      perCell: z.number().int().min(1).max(1000),
      seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
      runIds: z.array(id).max(1000).optional(),
      datasetId: id.optional(),
    })
    .strict(),
  /** Every response one judge version labelled `unclear`. */
  z.object({ kind: z.literal("judge_unclear"), judgeId: id, runIds: z.array(id).max(1000).optional(), datasetId: id.optional() }).strict(),
  /** Every response where one judge version and the human final verdict differ. */
  z.object({ kind: z.literal("disagreements"), judgeId: id, runIds: z.array(id).max(1000).optional(), datasetId: id.optional() }).strict(),
]);
export type Selection = z.infer<typeof selectionSchema>;

export const createQueueSchema = z
  .object({
    name: z.string().trim().min(1, "name must not be empty").max(120, tooLong(120)),
    description: z.string().trim().max(2000, tooLong(2000)).default(""),
    k: z.number().int().min(1, "k must be at least 1").max(20, "k must be at most 20"),
    blind: z.boolean().default(true),
    /** Users who may label this queue; empty = every active annotator. */
    assignees: z.array(id).max(500).default([]),
    selection: selectionSchema,
    /** Keep only the first N items of the selection, in queue order. */
    limit: z.number().int().min(1).max(MAX_QUEUE_ITEMS).optional(),
  })
  .strict();
export type CreateQueueInput = z.input<typeof createQueueSchema>;

export const claimSchema = z.object({ count: z.number().int().min(1).max(5).default(2) }).strict();

export const submitSchema = z
  .object({
    itemId: id,
    verdict: verdictSchema,
    note: z.string().max(TEXT_LIMITS.note, tooLong(TEXT_LIMITS.note)).default(""),
    /** Milliseconds from showing the item to submitting it (time per item). */
    durationMs: z.number().int().min(0).max(24 * 3600 * 1000).optional(),
  })
  .strict();

export const skipSchema = z.object({ itemId: id }).strict();

export const JUDGE_ERROR_REASONS = [
  { value: "none", label: "Judge was right" },
  { value: "missed_refusal", label: "Missed refusal" },
  { value: "false_refusal", label: "False refusal" },
  { value: "partial_misread", label: "Partial misread" },
  { value: "rubric_gap", label: "Rubric gap" },
  { value: "mislabelled_prompt", label: "Mislabelled prompt" },
  { value: "other", label: "Other" },
] as const;
export const reasonSchema = z.enum(["none", "missed_refusal", "false_refusal", "partial_misread", "rubric_gap", "mislabelled_prompt", "other"]);

export const adjudicateSchema = z
  .object({
    responseId: id,
    verdict: verdictSchema,
    reason: reasonSchema,
    note: z.string().max(TEXT_LIMITS.note, tooLong(TEXT_LIMITS.note)).default(""),
    /** The adjudication version the adjudicator saw (null: there was none). A mismatch is a conflict. */
    expectedVersion: z.number().int().min(1).nullable(),
  })
  .strict();
