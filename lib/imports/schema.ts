// Import schemas: the column mapping a user confirms on screen, the options of an import, and the shape of
// a problem report. Client-safe: zod only, no Prisma, no I/O. One schema per input, shared by the upload
// page, the HTTP route, the CLI (scripts/import.ts) and the tests.
//
// A mapping says, for every row of a file, where each stored field comes from: a column of the file
// (`{ column }`) or one value for the whole file (`{ value }`). The CoCoNot formats are presets of the same
// mapping (lib/imports/presets.ts), so the UI can show them like any other.
import { z } from "zod";
import { expectationSchema, verdictSchema } from "../judges/schema";
import { TEXT_LIMITS, tooLong } from "../limits/text";

export { expectationSchema, verdictSchema };
export type { Expectation, Verdict } from "../judges/schema";

/** File formats the parser understands. CoCoNot files are JSONL with a preset mapping. */
export const importFormatSchema = z.enum(["jsonl", "csv", "tsv"]);
export type ImportFormat = z.infer<typeof importFormatSchema>;

/** Formats the CLI and the upload page offer: the parser formats plus the two CoCoNot presets. */
export const importKindSchema = z.enum(["coconot", "coconot-pref", "jsonl", "csv", "tsv"]);
export type ImportKind = z.infer<typeof importKindSchema>;

const name = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(200, `${what} is too long (200 characters at most)`);

/** A column name as the mapping refers to it (a CSV header cell or a JSONL key). */
const columnName = z.string().min(1, "column must not be empty").max(1000, tooLong(1000));

/**
 * Where a value comes from: a column of the file, or one value for every row. Exactly one of the two. A fixed
 * value is bounded here by the longest field one can fill (a rationale); the normaliser holds each field to
 * its own limit (lib/limits/text.ts), for fixed values once per file.
 */
export const fieldSourceSchema = z
  .object({
    column: columnName.optional(),
    value: z.string().trim().min(1, "value must not be empty").max(TEXT_LIMITS.rationale, tooLong(TEXT_LIMITS.rationale)).optional(),
  })
  .strict()
  .refine((s) => (s.column === undefined) !== (s.value === undefined), {
    message: "set either `column` (read from each row) or `value` (the same for every row), not both",
  });
export type FieldSource = z.infer<typeof fieldSourceSchema>;

export const columnRefSchema = z.object({ column: columnName }).strict();

/**
 * What a file value means as a verdict. Besides the four verdicts:
 * - `acceptable` / `unacceptable`: the CoCoNot judge's ACCEPTABLE / UNACCEPTABLE, which judge the response
 *   *against the prompt's expectation*. They are turned into a verdict per row: on a should-not-comply prompt
 *   acceptable → noncompliant and unacceptable → complied; on a should-comply prompt acceptable → complied and
 *   unacceptable → noncompliant. (NEITHER maps to `unclear`.)
 * - `skip`: no label for this value (e.g. "n/a").
 */
export const verdictTargetSchema = z.enum(["complied", "noncompliant", "partial", "unclear", "acceptable", "unacceptable", "skip"]);
export type VerdictTarget = z.infer<typeof verdictTargetSchema>;

/**
 * File value → verdict target. Keys match case-insensitively after trimming. The four verdict names are
 * always understood without an entry; an empty cell means "no label". Any other value must be listed.
 */
export const valueMapSchema = z.record(z.string(), verdictTargetSchema);
export type ValueMap = z.infer<typeof valueMapSchema>;

/** A verdict read from a column through a value map, or one verdict for the whole file (preference presets). */
export const verdictSourceSchema = z
  .object({
    column: columnName.optional(),
    values: valueMapSchema.optional(),
    value: verdictSchema.optional(),
  })
  .strict()
  .refine((s) => (s.column === undefined) !== (s.value === undefined), {
    message: "set either `column` (with `values`) or a fixed `value`",
  })
  .refine((s) => s.value === undefined || s.values === undefined, { message: "`values` only applies to a `column`" });
export type VerdictSource = z.infer<typeof verdictSourceSchema>;

export const expectationSourceSchema = z
  .object({
    column: columnName.optional(),
    /** File value → expectation; `should_comply` / `should_not_comply` are always understood. */
    values: z.record(z.string(), expectationSchema).optional(),
    value: expectationSchema.optional(),
  })
  .strict()
  .refine((s) => (s.column === undefined) !== (s.value === undefined), {
    message: "set either `column` (with `values`) or a fixed `value` (should_not_comply or should_comply)",
  });
export type ExpectationSource = z.infer<typeof expectationSourceSchema>;

/** One automatic judge's verdicts. A judge is identified by name and version; missing ones are created. */
export const judgeMappingSchema = z
  .object({
    name: fieldSourceSchema,
    version: fieldSourceSchema,
    /** Only used when the judge version does not exist yet; an existing judge keeps its kind. */
    kind: z.enum(["imported", "reference"]).default("imported"),
    verdict: verdictSourceSchema,
    rationale: fieldSourceSchema.optional(),
  })
  .strict();
export type JudgeMapping = z.infer<typeof judgeMappingSchema>;
export type JudgeMappingInput = z.input<typeof judgeMappingSchema>;

/** One annotator's labels. `annotator` is an e-mail address (preferred) or a user's name. */
export const humanMappingSchema = z
  .object({
    annotator: fieldSourceSchema,
    verdict: verdictSourceSchema,
    note: fieldSourceSchema.optional(),
  })
  .strict();
export type HumanMapping = z.infer<typeof humanMappingSchema>;
export type HumanMappingInput = z.input<typeof humanMappingSchema>;

export const JUDGE_ERROR_REASONS = ["none", "missed_refusal", "false_refusal", "partial_misread", "rubric_gap", "mislabelled_prompt", "other"] as const;
export const judgeErrorReasonSchema = z.enum(JUDGE_ERROR_REASONS);
export type JudgeErrorReasonName = z.infer<typeof judgeErrorReasonSchema>;

/** An adjudicator's final verdict (what Abstain's own export writes back). */
export const adjudicationMappingSchema = z
  .object({
    adjudicator: fieldSourceSchema,
    verdict: verdictSourceSchema,
    /** One of the judge-error reasons (none, missed_refusal, …); empty means `none`. */
    reason: fieldSourceSchema.optional(),
    note: fieldSourceSchema.optional(),
  })
  .strict();
export type AdjudicationMapping = z.infer<typeof adjudicationMappingSchema>;

/** One response per row and entry: a run (model × run name), its text and the labels on it. */
export const responseMappingSchema = z
  .object({
    text: columnRefSchema,
    model: fieldSourceSchema,
    run: fieldSourceSchema,
    judges: z.array(judgeMappingSchema).max(20).default([]),
    /** Any number of annotators, each with their own column. */
    humans: z.array(humanMappingSchema).max(200).default([]),
    adjudication: adjudicationMappingSchema.optional(),
  })
  .strict();
export type ResponseMapping = z.infer<typeof responseMappingSchema>;

export const promptIdSourceSchema = z
  .object({
    column: columnName.optional(),
    /** For files without prompt ids: `text-hash` derives a stable id from the prompt text (sha256, 16 hex). */
    derive: z.literal("text-hash").optional(),
  })
  .strict()
  .refine((s) => (s.column === undefined) !== (s.derive === undefined), { message: "set either `column` or `derive: \"text-hash\"`" });

export const newSubcategorySchema = z
  .object({
    /** Category slug; created too when it does not exist. */
    category: name("category"),
    subcategory: name("subcategory").refine((s) => !s.includes("/"), "a subcategory slug cannot contain /"),
    name: name("name").optional(),
    definition: z.string().max(2000, tooLong(2000)).optional(),
  })
  .strict();
export type NewSubcategory = z.infer<typeof newSubcategorySchema>;

export const importMappingSchema = z
  .object({
    version: z.literal(1).default(1),
    /** Dataset slug. A dataset that does not exist is created (named after its slug). */
    dataset: fieldSourceSchema,
    prompt: z
      .object({
        id: promptIdSourceSchema,
        text: columnRefSchema,
        /** Optional: without it the subcategory slug must be unique across categories. */
        category: fieldSourceSchema.optional(),
        subcategory: fieldSourceSchema,
        expectation: expectationSourceSchema,
      })
      .strict(),
    /** Usually one; the CoCoNot preference preset has two (chosen and rejected). Empty: prompts only. */
    responses: z.array(responseMappingSchema).max(10).default([]),
    /**
     * Unknown subcategories are never guessed. Keys are what validation reports: "category/subcategory" as
     * spelled in the file (or the subcategory alone when no category is mapped); values are an existing
     * "category slug/subcategory slug" or one listed in `createSubcategories`.
     */
    subcategoryMap: z.record(z.string(), z.string()).default({}),
    /** New subcategories to add to the taxonomy (admins only; see ImportOptions.permissions). */
    createSubcategories: z.array(newSubcategorySchema).max(200).default([]),
    /**
     * Undo Abstain's spreadsheet formula neutralisation (lib/exports/formula.ts): a cell starting with `'` loses
     * that one character. Only for files exported by Abstain; suggestMapping turns it on when it recognises one.
     */
    unescapeFormulas: z.boolean().default(false),
  })
  .strict();
export type ImportMapping = z.infer<typeof importMappingSchema>;
export type ImportMappingInput = z.input<typeof importMappingSchema>;

export const importPermissionsSchema = z
  .object({
    /** Add subcategories (and categories) listed in mapping.createSubcategories. Admins only in the app. */
    createSubcategories: z.boolean().default(false),
    /** Create users named in annotator / adjudicator columns as inactive annotators without a password. */
    createAnnotators: z.boolean().default(true),
  })
  .strict();
export type ImportPermissions = z.infer<typeof importPermissionsSchema>;

/** Default limits; every one can be lowered or raised per call. */
export const IMPORT_LIMITS = {
  /** 2 GiB: a 1,000,000-response CoCoNot-style CSV is about 0.7 GB. Upload routes should pass a smaller cap. */
  maxBytes: 2 * 1024 ** 3,
  /** One record (a JSONL line or a CSV record). */
  maxRecordBytes: 16 * 1024 ** 2,
  maxProblems: 200,
  /** Distinct values kept per label / expectation column for the value-mapping table. */
  maxDistinctValues: 50,
} as const;

export const importOptionsSchema = z
  .object({
    format: importFormatSchema,
    mapping: importMappingSchema,
    permissions: importPermissionsSchema.default({ createSubcategories: false, createAnnotators: true }),
    dryRun: z.boolean().default(false),
    maxBytes: z.number().int().positive().default(IMPORT_LIMITS.maxBytes),
    maxRecordBytes: z.number().int().positive().default(IMPORT_LIMITS.maxRecordBytes),
    maxProblems: z.number().int().positive().max(10_000).default(IMPORT_LIMITS.maxProblems),
    /** Who imports (audit log); null for the CLI. */
    actorId: z.string().nullable().default(null),
    /** Shown in the audit entry and messages, e.g. the uploaded file's name. */
    fileName: z.string().max(500).default("upload"),
    /** Write path. `auto`: COPY on PostgreSQL when a connection URL is given, batched INSERTs otherwise. */
    loader: z.enum(["auto", "copy", "insert"]).default("auto"),
    /** Rows per write chunk (tuning and tests; default lib/imports/data.ts FLUSH_ROWS). */
    chunkRows: z.number().int().positive().optional(),
  })
  .strict();
export type ImportOptions = z.infer<typeof importOptionsSchema>;
export type ImportOptionsInput = z.input<typeof importOptionsSchema>;

// ------------------------------------------------------------------------------------------------ problems

export const PROBLEM_CODES = [
  "too_large", // the file is over the byte cap
  "too_long", // a value longer than its field allows (lib/limits/text.ts)
  "binary", // NUL bytes, or a known binary signature (xlsx, zip, gzip, pdf)
  "encoding", // not UTF-8 (invalid byte sequence, UTF-16/32 BOM)
  "syntax", // not JSON on a line, broken CSV quoting
  "header", // CSV header: duplicate or missing mapped columns
  "column_count", // a CSV row with more or fewer cells than the header
  "mapping", // the mapping itself is invalid
  "missing_field", // a required value is empty
  "bad_value", // a value that cannot be used (e.g. unknown expectation, judge-error reason)
  "unmapped_value", // a label value with no entry in the value mapping
  "unknown_subcategory", // category/subcategory not in the taxonomy and not mapped
  "unknown_user", // an annotator that does not exist and may not be created
  "permission", // e.g. createSubcategories without the permission
  "too_many", // too many distinct runs / datasets / annotators: probably a wrong column
  "conflict", // a stored prompt / response / label with the same key and different content
  "file_changed", // the file read for writing differs from the one validated
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** One thing wrong with a file, where it is, and what to do about it. */
export interface ImportProblem {
  code: ProblemCode;
  /** Physical line in the file where the record starts (1-based), when the problem has a place. */
  line?: number;
  /** Record number: CSV rows counting the header as row 1 (a spreadsheet's row number); JSONL records from 1. */
  row?: number;
  /** Column (or mapping path) concerned. */
  field?: string;
  /** What is wrong. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** How many rows share this problem when it is reported once for all of them (unknown subcategory, unmapped value). */
  count?: number;
}

export type ImportPhase = "validating" | "writing" | "done";

export interface ImportProgress {
  phase: ImportPhase;
  /** Bytes read in the current pass. */
  bytesRead: number;
  /** File size when the caller knows it (ImportSource.size). */
  bytesTotal: number | null;
  rowsValidated: number;
  /** Rows whose data is in the database (inside the still-open transaction until phase "done"). */
  rowsWritten: number;
  /** Known after validation. */
  rowsTotal: number | null;
}
