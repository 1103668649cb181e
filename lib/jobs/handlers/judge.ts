// Judge jobs: label every response of a selection with one judge version (heuristic or LLM).
//
// One Judge row per (name, version) (ensureJudge): a new version gets its own labels and never touches an older
// version's, so the two can be compared. Responses the version already labelled are skipped (counted as done), so
// running a version again only fills what is missing, and a resumed job never calls the LLM twice for a response.
//
// Batches go in response-id order. Each batch's labels are inserted with one INSERT … SELECT (the judge-label
// triggers are statement-level: one aggregate update per batch) together with the job's progress, in one
// transaction. The database reads batch n+1 and inserts batch n−1 while this process judges batch n (the heuristic
// is CPU work here, the reads and inserts are the database's), so the three overlap.
import { ensureJudge } from "../../judges/data";
import { HEURISTIC_JUDGE } from "../../judges/heuristic";
import { HEURISTIC_CONFIG, heuristicLabel } from "../heuristic-label";
import type { JudgePool } from "../judge-pool";
import { judgeOne, llmJudgeDescriptor } from "../../judges/llm";
import { newId } from "../../imports/ids";
import type { SqlTx } from "../queue";
import { judgeParamsSchema, type JudgeParams, type Selection } from "../schema";
import { checkSelection, countSelection, fetchSelection, PromptCache, type SelectedResponse } from "../selection";
import { JobFailure, yieldToEventLoop, type ItemError, type JobContext } from "../worker";

const NOW = `(now() AT TIME ZONE 'UTC')::timestamp(3)`;

/**
 * Heuristic labels per batch (and per INSERT statement, and per run of the statement-level count triggers). 10,000
 * rather than 2,000: the job machinery went from 0.57–0.64× to 0.67–0.81× of a bare insert (bench/judge.ts,
 * precomputed verdicts, 2 cores), and a crash re-judges at most 10,000 responses, about half a second of work.
 */
export const HEURISTIC_BATCH = 10_000;
/** LLM labels per batch: progress is saved this often, so a crash loses at most this many answers. */
export const LLM_BATCH = 32;
/** An LLM job gives up when this many batches in a row failed entirely (endpoint down, wrong model, bad key). */
export const LLM_FAILED_BATCHES_LIMIT = 3;

export interface LabelRow {
  responseId: string;
  verdict: string;
  rationale: string;
  rawOutput: string;
  rubricVersionId: string | null;
}

/** Inserts labels of one judge version; a response it already labelled keeps its label. Returns rows inserted. */
export async function insertLabels(tx: SqlTx, judgeId: string, labels: readonly LabelRow[]): Promise<number> {
  if (!labels.length) return 0;
  const now = Date.now();
  const rows = labels.map((l) => ({ id: newId(now), r: l.responseId, v: l.verdict, ra: l.rationale, raw: l.rawOutput, rv: l.rubricVersionId }));
  return tx.execute(
    `INSERT INTO "JudgeLabel" (id, "responseId", "judgeId", verdict, rationale, "rawOutput", "rubricVersionId", "createdAt")
     SELECT x.id, x.r, $2, x.v::"Verdict", x.ra, x.raw, x.rv, ${NOW}
     FROM json_to_recordset($1::json) AS x(id text, r text, v text, ra text, raw text, rv text)
     ORDER BY x.r
     ON CONFLICT ("responseId", "judgeId") DO NOTHING`,
    [JSON.stringify(rows), judgeId],
  );
}

interface Tally {
  done: number;
  failed: number;
  created: number;
  skipped: number;
}

export async function judgeHandler(ctx: JobContext): Promise<unknown> {
  const params = judgeParamsSchema.parse(ctx.job.params);
  await checkSelection(ctx.opened, params.selection);
  return params.judge.kind === "heuristic" ? runLocalJudge(ctx, params, heuristicJudge) : runLlm(ctx, params);
}

/** Counts the selection once, at the first attempt, so the page can show a bar and an ETA. */
async function ensureTotal(ctx: JobContext, sel: Selection): Promise<number> {
  if (ctx.job.total > 0 || ctx.job.cursor !== null) return ctx.job.total;
  const total = await countSelection(ctx.opened, sel);
  await ctx.report({ done: ctx.job.done, failed: ctx.job.failed, cursor: ctx.job.cursor, total });
  return total;
}

function summary(judge: { id: string; name: string; version: string }, t: Tally) {
  return { judgeId: judge.id, judge: `${judge.name} ${judge.version}`, labelsCreated: t.created, alreadyLabelled: t.skipped, failed: t.failed, processed: t.done };
}

/**
 * A judge that runs in this process, one response at a time, without I/O. The heuristic is one; the bench runs
 * the same job with precomputed verdicts to measure the job's own cost.
 */
export interface LocalJudge {
  name: string;
  config: Record<string, unknown>;
  /** The label of one response; throwing records the response as a failed item. */
  label(row: SelectedResponse): Omit<LabelRow, "responseId">;
}

export const heuristicJudge: LocalJudge = {
  name: HEURISTIC_JUDGE.name,
  config: HEURISTIC_CONFIG,
  label: heuristicLabel,
};

/**
 * Labels a batch: on the judge threads when there are (the heuristic only), else here, yielding to the event loop
 * every 100 responses (the app's requests go on meanwhile).
 */
async function judgeBatch(rows: readonly SelectedResponse[], judge: LocalJudge, pool: JudgePool | null): Promise<{ labels: LabelRow[]; errors: ItemError[]; skipped: number }> {
  const labels: LabelRow[] = [];
  const errors: ItemError[] = [];
  let skipped = 0;
  if (pool && judge === heuristicJudge) {
    const todo = rows.filter((r) => !r.labelled);
    const out = await pool.label(todo.map((r) => ({ prompt: r.prompt, response: r.response, category: r.category, subcategory: r.subcategory, expectation: r.expectation })));
    out.forEach((res, i) => {
      if ("ok" in res) labels.push({ responseId: todo[i].id, ...res.ok });
      else errors.push({ itemKey: todo[i].id, message: `${judge.name} failed: ${res.error}` });
    });
    return { labels, errors, skipped: rows.length - todo.length };
  }
  for (let i = 0; i < rows.length; i++) {
    if (i % 100 === 99) await yieldToEventLoop();
    const r = rows[i];
    if (r.labelled) {
      skipped++;
      continue;
    }
    try {
      labels.push({ responseId: r.id, ...judge.label(r) });
    } catch (err) {
      errors.push({ itemKey: r.id, message: `${judge.name} failed: ${(err as Error).message}` });
    }
  }
  return { labels, errors, skipped };
}

/** A judge job with a local judge (kind "heuristic" in params; the Judge row's kind is heuristic). */
export async function runLocalJudge(ctx: JobContext, params: JudgeParams, local: LocalJudge = heuristicJudge): Promise<unknown> {
  const spec = params.judge;
  const judge = await ensureJudge(ctx.opened.db, { name: local.name, kind: "heuristic", version: spec.version, config: local.config });
  const named = { id: judge.id, name: local.name, version: spec.version };
  await ctx.annotate({ judgeId: judge.id });
  await ensureTotal(ctx, params.selection);
  const batch = ctx.services.batchSize?.judge ?? HEURISTIC_BATCH;
  const t: Tally = { done: ctx.job.done, failed: ctx.job.failed, created: 0, skipped: 0 };

  const prompts = new PromptCache();
  const pool = local === heuristicJudge ? ((await ctx.services.judgePool?.()) ?? null) : null;
  let rows = await fetchSelection(ctx.opened, params.selection, ctx.job.cursor, batch, judge.id, prompts);
  let pending: Promise<unknown> | null = null;
  try {
    while (rows.length) {
      ctx.checkpoint();
      const cursor = rows[rows.length - 1].id;
      // Ask for the next batch now: the database reads it while this one is judged.
      const next = fetchSelection(ctx.opened, params.selection, cursor, batch, judge.id, prompts);
      next.catch(() => {});
      const judged = await judgeBatch(rows, local, pool);
      if (pending) await pending;
      t.done += rows.length;
      t.failed += judged.errors.length;
      t.skipped += judged.skipped;
      const p = { done: t.done, failed: t.failed, cursor };
      pending = ctx.commit(p, (tx) => insertLabels(tx, judge.id, judged.labels), judged.errors).then((n) => {
        t.created += n ?? 0;
      });
      pending.catch(() => {}); // awaited below; this only keeps an early rejection from counting as unhandled
      rows = await next;
    }
  } finally {
    // Never leave a commit running behind the handler's back (a stop or an error above).
    if (pending) await pending.catch(() => {});
  }
  if (pending) await pending;
  return { ...summary(named, t), judgeThreads: pool?.threads ?? 0 };
}

// ---------------------------------------------------------------------------------------------------- LLM

async function runLlm(ctx: JobContext, params: JudgeParams): Promise<unknown> {
  const spec = params.judge;
  if (spec.kind !== "llm") throw new Error("unreachable");
  if (!ctx.services.llm) throw new Error("This worker has no LLM endpoint configured.");
  const { client, config } = await ctx.services.llm();
  const model = spec.model ?? config.model;
  const descriptor = llmJudgeDescriptor(model);
  const existing = await ctx.opened.db.judge.findUnique({ where: { name_version: { name: spec.name, version: spec.version } }, select: { kind: true, config: true } });
  const existingModel = (existing?.config as { model?: unknown } | undefined)?.model;
  if (existing && (existing.kind !== "llm" || (existingModel !== undefined && existingModel !== model))) {
    throw new Error(
      `Judge ${spec.name} ${spec.version} already exists as ${existing.kind === "llm" ? `an LLM judge using model ${String(existingModel)}` : `a ${existing.kind} judge`}; ` +
        `labels of model ${model} need their own version label, so the two stay comparable. Choose a new version.`,
    );
  }
  const judge = await ensureJudge(ctx.opened.db, { name: spec.name, kind: "llm", version: spec.version, config: descriptor.config });
  const named = { id: judge.id, name: spec.name, version: spec.version };
  await ctx.annotate({ judgeId: judge.id });
  await ensureTotal(ctx, params.selection);

  // The current rubric of each subcategory (its newest version), loaded once.
  const rubrics = new Map<string, { id: string; acceptable: string; unacceptable: string }>();
  const { rows: rubricRows } = await ctx.opened.sql.query<{ subcategoryId: string; id: string; acceptable: string; unacceptable: string }>(
    `SELECT DISTINCT ON ("subcategoryId") "subcategoryId", id, acceptable, unacceptable FROM "RubricVersion" ORDER BY "subcategoryId", version DESC`,
  );
  for (const r of rubricRows) rubrics.set(r.subcategoryId, r);

  const batch = ctx.services.batchSize?.judge ?? LLM_BATCH;
  const t: Tally = { done: ctx.job.done, failed: ctx.job.failed, created: 0, skipped: 0 };
  let cursor = ctx.job.cursor;
  let failedBatches = 0;
  const prompts = new PromptCache();
  for (;;) {
    ctx.checkpoint();
    const rows = await fetchSelection(ctx.opened, params.selection, cursor, batch, judge.id, prompts);
    if (!rows.length) break;
    const todo = rows.filter((r) => !r.labelled);
    const settled = await Promise.allSettled(
      todo.map((r) => {
        const rubric = rubrics.get(r.subcategoryId);
        if (!rubric) return Promise.reject(new Error(`subcategory ${r.subcategory} has no rubric`));
        return judgeOne(client, {
          prompt: r.prompt,
          response: r.response,
          subcategory: r.subcategory,
          rubric,
          expectation: r.expectation,
          model,
          signal: ctx.signal,
        }).then((res) => ({ res, rubricVersionId: rubric.id }));
      }),
    );
    // A stop aborts the calls in flight: those are not failures of the items, and the batch is not committed.
    ctx.checkpoint();
    const labels: LabelRow[] = [];
    const errors: ItemError[] = [];
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") {
        labels.push({ responseId: todo[i].id, verdict: s.value.res.verdict, rationale: s.value.res.rationale, rawOutput: s.value.res.rawOutput, rubricVersionId: s.value.rubricVersionId });
      } else {
        errors.push({ itemKey: todo[i].id, message: (s.reason as Error)?.message ?? String(s.reason) });
      }
    });
    cursor = rows[rows.length - 1].id;
    t.done += rows.length;
    t.failed += errors.length;
    t.skipped += rows.length - todo.length;
    const n = await ctx.commit({ done: t.done, failed: t.failed, cursor }, (tx) => insertLabels(tx, judge.id, labels), errors);
    t.created += n ?? 0;
    failedBatches = todo.length > 0 && labels.length === 0 ? failedBatches + 1 : 0;
    if (failedBatches >= LLM_FAILED_BATCHES_LIMIT) {
      throw new JobFailure(
        `Every call of the last ${failedBatches} batches failed; the job stops instead of failing every response (last error: ${errors.at(-1)?.message}). ` +
          `Labels so far are kept: start the same judge version again once the endpoint works, and it continues where this one stopped.`,
      );
    }
  }
  return summary(named, t);
}
