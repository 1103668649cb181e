// Background jobs: what each kind takes as params, what the API accepts, what the UI sees. Client-safe: zod only.
//
// A job processes items in a stable order (responses or prompts by id) and saves its cursor and counts with
// each batch's writes, in one transaction: a job that stops anywhere (crash, restart, lease lost) resumes from
// the last committed batch, with no item written twice and none skipped. See lib/jobs/queue.ts.
import { z } from "zod";
import { browseFilterSchema, type BrowseFilter } from "../browse/schema";

export const JOB_KINDS = ["judge", "generate", "import"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Queued or running: the page keeps polling while any job is in one of these. */
export function isActive(status: JobStatus): boolean {
  return status === "queued" || status === "running";
}

const id = z.string().trim().min(1, "must not be empty").max(64, "is too long").regex(/^[A-Za-z0-9_-]+$/, "must be an id");
const label = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} is too long (${max} characters at most)`)
    .regex(/^[^\u0000-\u001f]*$/, `${what} must be one line`);

/**
 * What a judge job labels: the responses of a run, of a dataset (every run), or of a Browse filter (exactly the
 * responses Browse lists for it; `sort` and `after` are ignored, the job goes through all of them in id order).
 */
export const selectionSchema = z.union([
  z.object({ runId: id }).strict(),
  z.object({ datasetId: id }).strict(),
  z.object({ browse: browseFilterSchema }).strict(),
]);
export type Selection = { runId: string } | { datasetId: string } | { browse: BrowseFilter };

/**
 * Which judge. Each (name, version) is its own Judge row with its own labels, so a new version never
 * overwrites an older one's labels and the two can be compared. Judging again with the same version only adds
 * labels to responses that version has not labelled yet.
 */
export const judgeSpecSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("heuristic"),
      /** Version label of the Judge row, e.g. "1.0.0" or "2026-11-rerun". */
      version: label("version", 64),
    })
    .strict(),
  z
    .object({
      kind: z.literal("llm"),
      name: label("name", 100).default("coconot-llm"),
      version: label("version", 100),
      /** Model to ask; default: the endpoint's model from the settings. */
      model: label("model", 200).optional(),
    })
    .strict(),
]);
export type JudgeSpec = z.infer<typeof judgeSpecSchema>;

export const judgeParamsSchema = z.object({ judge: judgeSpecSchema, selection: selectionSchema }).strict();
export type JudgeParams = z.infer<typeof judgeParamsSchema>;

export const GENERATION_LIMITS = { maxTokens: 32_000, systemPrompt: 20_000 } as const;

/** One response per prompt of the dataset, as a new (or continued) run of the model. */
export const generateParamsSchema = z
  .object({
    datasetId: id,
    /** Model row (created when new); also the model asked unless `endpointModel` says otherwise. */
    modelName: label("modelName", 200),
    runName: label("runName", 200),
    /** The model id the endpoint knows, when it differs from modelName. */
    endpointModel: label("endpointModel", 200).optional(),
    /** "coconot": CoCoNot's system prompt; any other text: that system prompt; null: none. */
    systemPrompt: z
      .string()
      .max(GENERATION_LIMITS.systemPrompt, `systemPrompt is too long (${GENERATION_LIMITS.systemPrompt} characters at most)`)
      .nullable()
      .default(null),
    temperature: z.number().min(0, "temperature must be at least 0").max(2, "temperature must be at most 2").optional(),
    maxTokens: z.number().int("maxTokens must be a whole number").min(1).max(GENERATION_LIMITS.maxTokens).optional(),
  })
  .strict();
export type GenerateParams = z.infer<typeof generateParamsSchema>;

/**
 * A file already on the worker's disk (an upload spooled by the server), imported with lib/imports runImport.
 * The worker that runs it must see the file: run import jobs on the machine that received the upload (the in-app
 * worker, or `npm run worker -- --kinds import` beside it).
 */
export const importParamsSchema = z
  .object({
    file: z.string().min(1),
    fileName: z.string().max(500).default("upload"),
    /** lib/imports importOptionsSchema input; validated again by runImport. */
    options: z.record(z.string(), z.unknown()),
    /** Remove the file when the job ends (succeeded, failed or cancelled). */
    deleteFile: z.boolean().default(true),
  })
  .strict();
export type ImportParams = z.infer<typeof importParamsSchema>;

/** POST /api/jobs: judge and generate jobs (imports are enqueued by the upload route). */
export const createJobSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("judge"), params: judgeParamsSchema }).strict(),
  z.object({ kind: z.literal("generate"), params: generateParamsSchema }).strict(),
]);
export type CreateJobInput = z.input<typeof createJobSchema>;

/** A job as lists and the page show it. `params` is the validated input; nothing secret is ever in it. */
export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  /** One line saying what the job does, e.g. "Judge abstain-heuristic 1.0.1 · run gpt-4o · base". */
  title: string;
  total: number;
  done: number;
  failed: number;
  /** Items per second in the current attempt, when measurable. */
  rate: number | null;
  /** Seconds left at that rate; null when unknown (no progress yet, total unknown, not running). */
  etaSeconds: number | null;
  error: string | null;
  result: unknown;
  cancelRequested: boolean;
  attempts: number;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  errorCount: number;
  /** Where to see what the job produced (Browse filtered to the new labels or responses). */
  href: string | null;
}

export interface JobItemErrorView {
  id: string;
  itemKey: string;
  message: string;
  createdAt: string;
}

export interface JobDetail extends JobView {
  params: unknown;
  errors: JobItemErrorView[];
}
