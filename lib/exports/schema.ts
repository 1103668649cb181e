// Export options and the exported columns. Client-safe: zod only, no Prisma, no I/O. Shared by the Browse
// download button, the HTTP route, scripts/export.ts and the tests.
import { z } from "zod";
import { expectationSchema, verdictSchema } from "../judges/schema";
import { TEXT_LIMITS, tooLong } from "../limits/text";
import { labelSourceKinds } from "../results/schema";

const names = (what: string) =>
  z
    .array(z.string().trim().min(1, `${what} must not be empty`).max(TEXT_LIMITS.name, tooLong(TEXT_LIMITS.name)))
    .max(500, `at most 500 ${what}s`)
    .optional();

/**
 * Which responses to export. Every list is "any of"; different fields combine with AND; an absent field does
 * not filter. Names are the ones the data uses (dataset slug, model name, run name, category and subcategory
 * slugs, annotator e-mail) so an export's sidecar is readable and replayable on another database. Every Browse
 * filter has a field here (lib/exports/browse.ts); lib/exports/filter.ts resolves the names to ids and
 * lib/browse/where.ts, the one builder Browse uses too, turns them into SQL.
 */
export const exportFilterSchema = z
  .object({
    datasets: names("dataset"),
    models: names("model"),
    /** Run names; combine with `models` to pick one model's run. */
    runs: names("run"),
    categories: names("category"),
    /** Subcategory slugs, in any category (combine with `categories` to disambiguate). */
    subcategories: names("subcategory"),
    expectation: expectationSchema.optional(),
    /** Case-insensitive substring of the prompt or the response (Browse's text search). */
    text: z.string().trim().min(1).max(200, tooLong(200)).optional(),
    /** The export's judge version (options.judge) gave this verdict. */
    judgeVerdict: verdictSchema.optional(),
    /** Some annotator's current label has this verdict. */
    humanVerdict: verdictSchema.optional(),
    /** The verdict under `source`. */
    finalVerdict: verdictSchema.optional(),
    /** Only responses with a verdict under `source`. */
    labelled: z.boolean().optional(),
    /** The judge's verdict differs from the human final verdict. */
    disagree: z.boolean().optional(),
    /** Labelled by any of these annotators (e-mail addresses). */
    annotators: names("annotator"),
    /**
     * Where finalVerdict and labelled take the verdict from: best available (adjudicated, else human
     * consensus, else the judge), the judge only, or adjudications only. Default: best with a judge, else
     * adjudicated (as Browse).
     */
    source: z.enum(labelSourceKinds).optional(),
  })
  .strict();
export type ExportFilter = z.infer<typeof exportFilterSchema>;

export const EXPORT_FORMATS = ["csv", "jsonl", "sft", "pref"] as const;
export const exportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const exportOptionsSchema = z
  .object({
    format: exportFormatSchema,
    filter: exportFilterSchema.default({}),
    /**
     * The judge version whose label is exported and used as the last fallback of the final verdict. Absent: per
     * response, the label of the most recently created judge version that labelled it.
     */
    judge: z.object({ name: z.string().trim().min(1), version: z.string().trim().min(1) }).strict().optional(),
    /** At most this many rows (responses; pairs for `pref`). */
    limit: z.number().int().positive().optional(),
    /** CSV only: start with a UTF-8 byte-order mark, so Excel reads the file as UTF-8 (pandas and csv-parse skip it). */
    bom: z.boolean().default(true),
  })
  .strict();
export type ExportOptions = z.infer<typeof exportOptionsSchema>;
export type ExportOptionsInput = z.input<typeof exportOptionsSchema>;

/** Where the final verdict of a response comes from (architecture.md): adjudicated ?? human consensus ?? judge. */
export type FinalSourceName = "adjudicated" | "human_consensus" | "judge_only";

/** CSV columns before the per-annotator ones. */
export const CSV_HEAD_COLUMNS = [
  "prompt_id",
  "dataset",
  "category",
  "subcategory",
  "expectation",
  "prompt",
  "model",
  "run",
  "response",
  "judge_name",
  "judge_version",
  "judge_verdict",
  "judge_rationale",
] as const;
/** Per annotator (by e-mail, sorted): `label:<email>` then `note:<email>`. */
export const HUMAN_LABEL_PREFIX = "label:";
export const HUMAN_NOTE_PREFIX = "note:";
/** CSV columns after the per-annotator ones. */
export const CSV_TAIL_COLUMNS = [
  "human_consensus",
  "adjudicated_verdict",
  "final_verdict",
  "final_source",
  "adjudicator",
  "adjudication_reason",
  "adjudication_note",
  "response_created_at",
  "judge_labelled_at",
  "adjudicated_at",
] as const;

export interface ExportMeta {
  app: "abstain";
  kind: "export";
  version: 1;
  format: ExportFormat;
  filter: ExportFilter;
  judge: { name: string; version: string } | null;
  limit: number | null;
  /** ISO 8601, UTC. */
  exportedAt: string;
  /** CSV: the header, in order. */
  columns: string[] | null;
  /** CSV: how formula neutralisation works, so a reader can undo it (lib/exports/formula.ts). */
  formulaEscape: { prefix: string; triggers: string[]; note: string } | null;
  /** Filled in when the export has finished (the CLI writes the sidecar then). */
  rows: number | null;
}
