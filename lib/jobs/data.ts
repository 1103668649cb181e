// Jobs as the app creates and cancels them (the API and the Jobs page): checks that what a job refers to exists
// before it is queued, and records who started or cancelled what in the audit log.
import { createAuditEntry } from "../audit/data";
import { parseBrowseParams, type BrowseFilter } from "../browse/schema";
import type { Db, DbTx } from "../db";
import { AppError } from "../errors";
import { getLlmSettingsForClient } from "../settings/llm";
import { selectionText, type JobNames } from "./describe";
import { enqueue, requestCancel } from "./queue";
import type { ImportOptionsInput } from "../imports/schema";
import { createJobSchema, importParamsSchema, type CreateJobInput, type JobStatus } from "./schema";
import { selectionFilter } from "./selection";

async function requireExists(db: DbTx, what: "run" | "dataset", id: string): Promise<void> {
  const found = what === "run" ? await db.run.findUnique({ where: { id }, select: { id: true } }) : await db.dataset.findUnique({ where: { id }, select: { id: true } });
  if (!found) throw new AppError("bad_request", `There is no ${what} ${id}; choose one from the list.`);
}

async function requireLlm(db: DbTx): Promise<void> {
  const s = await getLlmSettingsForClient(db);
  if (!s.configured) {
    throw new AppError("bad_request", "No LLM endpoint is configured: an admin sets its URL and model under Settings (or LLM_BASE_URL and LLM_MODEL in the environment).");
  }
}

/** Validates, checks references, queues the job and audits it. Returns the job id. */
export async function createJob(db: Db, input: unknown, actorId: string): Promise<{ id: string }> {
  const parsed = createJobSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError("bad_request", parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; "), parsed.error.issues);
  }
  const job = parsed.data;
  if (job.kind === "judge") {
    const sel = job.params.selection;
    if ("runId" in sel) await requireExists(db, "run", sel.runId);
    if ("datasetId" in sel) await requireExists(db, "dataset", sel.datasetId);
    if ("browse" in sel) sel.browse = selectionFilter(sel.browse);
    if (job.params.judge.kind === "llm") await requireLlm(db);
  } else {
    await requireExists(db, "dataset", job.params.datasetId);
    await requireLlm(db);
  }
  return db.$transaction(async (tx) => {
    const created = await enqueue(tx, { kind: job.kind, params: job.params, createdById: actorId });
    await createAuditEntry(tx, { actorId, action: "job.create", entityType: "job", entityId: created.id, after: { kind: job.kind, params: job.params } });
    return created;
  });
}

/**
 * Queues an import of a file this server already spooled to its disk (lib/imports/sources.ts spoolToTempFile);
 * the job removes the file when it ends. `options` are runImport's (the caller sets maxBytes, permissions and
 * actorId as for a direct import). Call nudgeWorkers() afterwards so the in-app worker starts it at once.
 */
export async function createImportJob(db: Db, input: { file: string; fileName: string; options: ImportOptionsInput; actorId: string }): Promise<{ id: string }> {
  const params = importParamsSchema.parse({ file: input.file, fileName: input.fileName, options: input.options, deleteFile: true });
  return db.$transaction(async (tx) => {
    const created = await enqueue(tx, { kind: "import", params, createdById: input.actorId });
    await createAuditEntry(tx, { actorId: input.actorId, action: "job.create", entityType: "job", entityId: created.id, after: { kind: "import", fileName: input.fileName } });
    return created;
  });
}

/** Cancels a job (see requestCancel) and audits it. Not found → 404; already ended → 409. */
export async function cancelJob(db: Db, id: string, actorId: string): Promise<{ status: JobStatus }> {
  const before = await db.job.findUnique({ where: { id }, select: { status: true } });
  if (!before) throw new AppError("not_found", `There is no job ${id}.`);
  if (before.status !== "queued" && before.status !== "running") throw new AppError("conflict", `The job has already ${before.status === "succeeded" ? "finished" : before.status}.`);
  const status = (await requestCancel(db, id))!;
  await createAuditEntry(db, { actorId, action: "job.cancel", entityType: "job", entityId: id, before: { status: before.status }, after: { status, cancelRequested: true } });
  return { status };
}

export interface JobFormOptions {
  runs: { id: string; label: string }[];
  datasets: { id: string; label: string }[];
  llm: { configured: boolean; model: string | null };
  /** The Browse filter the page was opened with (?browse=…), described, or the problems with it. */
  browse: { filter: BrowseFilter; text: string; errors: string[] } | null;
}

/** What the "Run a judge" and "Generate responses" forms offer. `browseQuery`: Browse's query string. */
export async function getJobFormOptions(db: DbTx, browseQuery?: string): Promise<JobFormOptions> {
  const [runs, datasets, llm] = await Promise.all([
    db.run.findMany({ select: { id: true, name: true, model: { select: { name: true } }, _count: { select: { responses: true } } }, orderBy: [{ model: { name: "asc" } }, { name: "asc" }] }),
    db.dataset.findMany({ select: { id: true, name: true, _count: { select: { prompts: true } } }, orderBy: { createdAt: "asc" } }),
    getLlmSettingsForClient(db),
  ]);
  let browse: JobFormOptions["browse"] = null;
  if (browseQuery !== undefined) {
    const { filter, errors } = parseBrowseParams(Object.fromEntries(new URLSearchParams(browseQuery)));
    const f = selectionFilter(filter);
    const names: JobNames = {
      runs: new Map(runs.map((r) => [r.id, `${r.model.name} · ${r.name}`])),
      datasets: new Map(datasets.map((d) => [d.id, d.name])),
      judges: new Map(),
      users: new Map(),
    };
    browse = { filter: f, text: selectionText({ browse: f }, names), errors };
  }
  return {
    runs: runs.map((r) => ({ id: r.id, label: `${r.model.name} · ${r.name} (${r._count.responses.toLocaleString("en")} responses)` })),
    datasets: datasets.map((d) => ({ id: d.id, label: `${d.name} (${d._count.prompts.toLocaleString("en")} prompts)` })),
    llm: { configured: llm.configured, model: llm.model },
    browse,
  };
}

export type { CreateJobInput };
