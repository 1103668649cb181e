// The job queue: a PostgreSQL table (Job) that workers claim with FOR UPDATE SKIP LOCKED and hold with a lease.
// pg-boss cannot run on PGlite, and one table that works on both is small enough to own.
//
// Lifecycle: queued → running → succeeded | failed | cancelled.
//   claim      a worker takes the oldest queued job of the kinds it runs, or a running one whose lease ran out
//              (its worker died or the server restarted), sets lockedBy/lockedUntil and counts an attempt.
//   renew      the worker's heartbeat extends the lease (every leaseMs / 3) and reads cancelRequested.
//   progress   a handler saves counts and its cursor IN THE TRANSACTION of the batch it just wrote, so a batch
//              and its progress commit together or not at all: a resumed job continues after the last committed
//              batch, nothing twice, nothing skipped.
//   finish / fail / markCancelled / release   end the attempt.
//
// Fencing: every write of an attempt names (jobId, lockedBy, attempts). A worker whose lease expired and whose job
// was claimed again matches no row, so its late batch rolls back (LeaseLostError) instead of writing beside the new
// owner. The progress UPDATE also locks the Job row for the rest of the batch transaction, and claim skips locked
// rows, so a job cannot be claimed in the middle of a batch.
//
// Times are the database's (now() AT TIME ZONE 'UTC', as Prisma stores DateTime): workers on other machines with
// other clocks agree on who holds a lease.
import type { DbTx } from "../db";
import { Prisma } from "../db";
import { AppError } from "../errors";
import { newId } from "../imports/ids";
import { jobRate } from "./eta";
import type { JobDetail, JobItemErrorView, JobStatus, JobView } from "./schema";
import { jobHref, jobTitle, type JobNames } from "./describe";

const NOW = `(now() AT TIME ZONE 'UTC')::timestamp(3)`;
const leaseUntil = (param: string) => `(${NOW} + ${param}::int * interval '1 millisecond')`;

/** A job that keeps losing its worker (it crashes the process, say) stops being retried after this many claims. */
export const MAX_ATTEMPTS = 10;
/** Longest stored message of a failed item or job. */
const MAX_MESSAGE = 2000;

/** Identifies one attempt of one job: every write of the attempt must match it. */
export interface Fence {
  jobId: string;
  workerId: string;
  attempt: number;
}

export interface ClaimedJob {
  id: string;
  kind: string;
  params: unknown;
  total: number;
  done: number;
  failed: number;
  cursor: string | null;
  attempts: number;
  createdById: string | null;
  cancelRequested: boolean;
  fence: Fence;
}

export interface Progress {
  done: number;
  failed: number;
  cursor: string | null;
  /** Set when known (or changed); omitted keeps the stored total. */
  total?: number;
}

/**
 * One transaction's connection, raw SQL with $n placeholders: what a batch writes through. A worker on PostgreSQL
 * uses a pg client of its own (no ORM between the batch and the database); elsewhere, a Prisma interactive
 * transaction (sqlTx).
 */
export interface SqlTx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Rows affected. */
  execute(sql: string, params?: unknown[]): Promise<number>;
}

/** A Prisma client or interactive transaction as a SqlTx. */
export function sqlTx(db: DbTx): SqlTx {
  return {
    query: <T,>(sql: string, params: unknown[] = []) => db.$queryRawUnsafe<T[]>(sql, ...params),
    execute: (sql: string, params: unknown[] = []) => db.$executeRawUnsafe(sql, ...params),
  };
}

/** The attempt no longer holds the job (lease expired and claimed by another worker, or the job ended). */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`Job ${jobId}: this worker no longer holds the job (its lease ran out and another worker took it over, or the job ended).`);
    this.name = "LeaseLostError";
  }
}

function clip(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s;
}

// ----------------------------------------------------------------------------------------------- producer

export async function enqueue(db: DbTx, job: { kind: string; params: unknown; createdById?: string | null }): Promise<{ id: string }> {
  return db.job.create({
    data: { kind: job.kind, params: job.params as Prisma.InputJsonValue, createdById: job.createdById ?? null },
    select: { id: true },
  });
}

/**
 * Cancels a job: a queued job (or a running one whose worker is gone) at once; a running one stops after the
 * batch it is writing (its worker sees cancelRequested). Returns the status after the request, or null when there
 * is no such job. A job that already ended is left as it is.
 */
export async function requestCancel(db: DbTx, jobId: string): Promise<JobStatus | null> {
  const rows = await db.$queryRawUnsafe<{ status: JobStatus }[]>(
    `UPDATE "Job" SET "cancelRequested" = true, "updatedAt" = ${NOW},
       status = CASE WHEN status = 'queued' OR "lockedUntil" < ${NOW} THEN 'cancelled'::"JobStatus" ELSE status END,
       "finishedAt" = CASE WHEN status = 'queued' OR "lockedUntil" < ${NOW} THEN ${NOW} ELSE "finishedAt" END,
       "lockedBy" = CASE WHEN status = 'queued' OR "lockedUntil" < ${NOW} THEN NULL ELSE "lockedBy" END
     WHERE id = $1 AND status IN ('queued', 'running')
     RETURNING status::text AS status`,
    jobId,
  );
  if (rows.length) return rows[0].status;
  const job = await db.job.findUnique({ where: { id: jobId }, select: { status: true } });
  return job?.status ?? null;
}

// ----------------------------------------------------------------------------------------------- worker side

/**
 * Ends running jobs whose lease ran out but must not run again: cancel requested, or claimed MAX_ATTEMPTS times.
 * Runs before a claim (workers: at most every SWEEP_EVERY_MS); an index range on status, nothing to write usually.
 */
async function sweep(db: DbTx): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE "Job" SET status = 'cancelled', "finishedAt" = ${NOW}, "updatedAt" = ${NOW}, "lockedBy" = NULL, "lockedUntil" = NULL
     WHERE id IN (SELECT id FROM "Job" WHERE status = 'running' AND "lockedUntil" < ${NOW} AND "cancelRequested" FOR UPDATE SKIP LOCKED)`,
  );
  await db.$executeRawUnsafe(
    `UPDATE "Job" SET status = 'failed', "finishedAt" = ${NOW}, "updatedAt" = ${NOW}, "lockedBy" = NULL, "lockedUntil" = NULL,
       error = 'The job was interrupted ' || attempts || ' times (its worker stopped before finishing each time); it is not retried again.'
     WHERE id IN (SELECT id FROM "Job" WHERE status = 'running' AND "lockedUntil" < ${NOW} AND attempts >= $1 FOR UPDATE SKIP LOCKED)`,
    MAX_ATTEMPTS,
  );
}

/**
 * Takes the oldest job of `kinds` that is queued, or running with an expired lease (it resumes from its cursor).
 * Two workers never get the same job: the row is locked FOR UPDATE, and a concurrent claim SKIPs it.
 */
export async function claim(db: DbTx, workerId: string, kinds: readonly string[], leaseMs: number, opts: { sweep?: boolean } = {}): Promise<ClaimedJob | null> {
  if (opts.sweep ?? true) await sweep(db);
  const rows = await db.$queryRawUnsafe<Omit<ClaimedJob, "fence">[]>(
    `WITH next AS (
       SELECT id FROM "Job"
       WHERE kind = ANY(string_to_array($2, ','))
         -- A worker never takes over its own job: while it holds one it is alive, however late its heartbeat
         -- (on the embedded database a long import transaction holds every other query back, heartbeats too).
         AND (status = 'queued' OR (status = 'running' AND "lockedUntil" < ${NOW} AND attempts < $4 AND "lockedBy" <> $1))
       ORDER BY "createdAt", id
       LIMIT 1
       FOR UPDATE SKIP LOCKED)
     UPDATE "Job" j SET status = 'running', "lockedBy" = $1, "lockedUntil" = ${leaseUntil("$3")},
       attempts = j.attempts + 1, "startedAt" = COALESCE(j."startedAt", ${NOW}), "updatedAt" = ${NOW},
       -- where this attempt started (eta.ts measures the rate from here); the handler's summary replaces it.
       result = jsonb_build_object('attemptStartedAt', floor(extract(epoch FROM now()) * 1000), 'attemptStartDone', j.done)
     FROM next WHERE j.id = next.id
     RETURNING j.id, j.kind, j.params, j.total, j.done, j.failed, j.cursor, j.attempts, j."createdById", j."cancelRequested"`,
    workerId,
    kinds.join(","),
    Math.round(leaseMs),
    MAX_ATTEMPTS,
  );
  if (!rows.length) return null;
  const r = rows[0];
  return {
    ...r,
    total: Number(r.total),
    done: Number(r.done),
    failed: Number(r.failed),
    attempts: Number(r.attempts),
    fence: { jobId: r.id, workerId, attempt: Number(r.attempts) },
  };
}

const FENCE = `id = $1 AND "lockedBy" = $2 AND attempts = $3 AND status = 'running'`;
const fenceArgs = (f: Fence) => [f.jobId, f.workerId, f.attempt] as const;

/** Heartbeat: extends the lease. `held` false means the job is no longer this attempt's (stop working on it). */
export async function renew(db: DbTx, fence: Fence, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
  const rows = await db.$queryRawUnsafe<{ cancelRequested: boolean }[]>(
    `UPDATE "Job" SET "lockedUntil" = ${leaseUntil("$4")} WHERE ${FENCE} RETURNING "cancelRequested"`,
    ...fenceArgs(fence),
    Math.round(leaseMs),
  );
  return rows.length ? { held: true, cancelRequested: rows[0].cancelRequested } : { held: false, cancelRequested: false };
}

/**
 * Saves a batch's progress. Call it inside the transaction that writes the batch (first, so a lost lease costs
 * no work): it locks the Job row, checks the fence (LeaseLostError → the transaction rolls back), extends the
 * lease and returns whether a cancel was requested.
 */
export async function progress(tx: SqlTx, fence: Fence, p: Progress, leaseMs: number): Promise<{ cancelRequested: boolean }> {
  const rows = await tx.query<{ cancelRequested: boolean }>(
    `UPDATE "Job" SET done = $4, failed = $5, cursor = $6, total = COALESCE($7::int, total),
       "lockedUntil" = ${leaseUntil("$8")}, "updatedAt" = ${NOW}
     WHERE ${FENCE} RETURNING "cancelRequested"`,
    [...fenceArgs(fence), p.done, p.failed, p.cursor, p.total ?? null, Math.round(leaseMs)],
  );
  if (!rows.length) throw new LeaseLostError(fence.jobId);
  return { cancelRequested: rows[0].cancelRequested };
}

/** Adds facts a handler learns early (e.g. the judge id) to the job's result, so the page can link to them. */
export async function annotate(db: DbTx, fence: Fence, info: Record<string, unknown>): Promise<void> {
  const n = await db.$executeRawUnsafe(
    `UPDATE "Job" SET result = COALESCE(result, '{}'::jsonb) || $4::jsonb WHERE ${FENCE}`,
    ...fenceArgs(fence),
    JSON.stringify(info),
  );
  if (!n) throw new LeaseLostError(fence.jobId);
}

/** Records items that failed (in the batch's transaction, like progress). The job goes on. */
export async function recordItemErrors(tx: SqlTx, jobId: string, errors: readonly { itemKey: string; message: string }[]): Promise<void> {
  if (!errors.length) return;
  const rows = errors.map((e) => ({ id: newId(), k: e.itemKey.slice(0, 200), m: clip(e.message) }));
  await tx.execute(
    `INSERT INTO "JobItemError" (id, "jobId", "itemKey", message, "createdAt")
     SELECT x.id, $2, x.k, x.m, ${NOW} FROM json_to_recordset($1::json) AS x(id text, k text, m text)`,
    [JSON.stringify(rows), jobId],
  );
}

export async function recordItemError(tx: SqlTx, jobId: string, itemKey: string, message: string): Promise<void> {
  await recordItemErrors(tx, jobId, [{ itemKey, message }]);
}

async function end(db: DbTx, fence: Fence, set: string, args: unknown[]): Promise<boolean> {
  const n = await db.$executeRawUnsafe(
    `UPDATE "Job" SET ${set}, "finishedAt" = ${NOW}, "updatedAt" = ${NOW}, "lockedBy" = NULL, "lockedUntil" = NULL WHERE ${FENCE}`,
    ...fenceArgs(fence),
    ...args,
  );
  return n > 0;
}

/** The job is done; `result` is its kind's summary. False when the attempt had lost the job already. */
export function finish(db: DbTx, fence: Fence, result: unknown): Promise<boolean> {
  return end(db, fence, `status = 'succeeded', result = $4::jsonb, error = NULL`, [JSON.stringify(result ?? {})]);
}

/** The whole job failed (bad params, selection gone, endpoint never answering). Items' errors stay recorded. */
export function fail(db: DbTx, fence: Fence, error: string, result?: unknown): Promise<boolean> {
  return end(db, fence, `status = 'failed', error = $4, result = COALESCE($5::jsonb, result)`, [clip(error), result === undefined ? null : JSON.stringify(result)]);
}

/** The job stopped because a cancel was requested; what it wrote so far stays. */
export function markCancelled(db: DbTx, fence: Fence, result?: unknown): Promise<boolean> {
  return end(db, fence, `status = 'cancelled', result = COALESCE($4::jsonb, result)`, [result === undefined ? null : JSON.stringify(result)]);
}

/** Gives a running job back to the queue (graceful shutdown): another worker resumes it from its cursor at once. */
export async function release(db: DbTx, fence: Fence): Promise<boolean> {
  const n = await db.$executeRawUnsafe(
    `UPDATE "Job" SET status = 'queued', "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ${NOW} WHERE ${FENCE}`,
    ...fenceArgs(fence),
  );
  return n > 0;
}

/**
 * Expires every lease at once. Only for a process that knows no other worker can be alive: the embedded
 * database allows one process, so when the app starts on it, every running job is an orphan of the last run.
 */
export async function expireAllLeases(db: DbTx): Promise<number> {
  return db.$executeRawUnsafe(`UPDATE "Job" SET "lockedUntil" = ${NOW} - interval '1 millisecond' WHERE status = 'running'`);
}

// ----------------------------------------------------------------------------------------------- UI

const jobSelect = {
  id: true,
  kind: true,
  status: true,
  params: true,
  total: true,
  done: true,
  failed: true,
  result: true,
  error: true,
  cancelRequested: true,
  attempts: true,
  createdById: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  updatedAt: true,
  _count: { select: { errors: true } },
} satisfies Prisma.JobSelect;
type JobRow = Prisma.JobGetPayload<{ select: typeof jobSelect }>;

/** Names of the runs, datasets, judges and users the jobs refer to, in one query each. */
async function loadNames(db: DbTx, rows: JobRow[]): Promise<JobNames> {
  const runIds = new Set<string>();
  const datasetIds = new Set<string>();
  const judgeIds = new Set<string>();
  const userIds = new Set<string>();
  for (const r of rows) {
    const p = (r.params ?? {}) as { selection?: { runId?: string; datasetId?: string; browse?: { run?: string; dataset?: string } }; datasetId?: string };
    const s = p.selection;
    if (s?.runId) runIds.add(s.runId);
    if (s?.datasetId) datasetIds.add(s.datasetId);
    if (s?.browse?.run) runIds.add(s.browse.run);
    if (s?.browse?.dataset) datasetIds.add(s.browse.dataset);
    if (p.datasetId) datasetIds.add(p.datasetId);
    const judgeId = (r.result as { judgeId?: unknown } | null)?.judgeId;
    if (typeof judgeId === "string") judgeIds.add(judgeId);
    if (r.createdById) userIds.add(r.createdById);
  }
  const [runs, datasets, judges, users] = await Promise.all([
    runIds.size ? db.run.findMany({ where: { id: { in: [...runIds] } }, select: { id: true, name: true, model: { select: { name: true } } } }) : [],
    datasetIds.size ? db.dataset.findMany({ where: { id: { in: [...datasetIds] } }, select: { id: true, name: true } }) : [],
    judgeIds.size ? db.judge.findMany({ where: { id: { in: [...judgeIds] } }, select: { id: true, name: true, version: true } }) : [],
    userIds.size ? db.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, name: true } }) : [],
  ]);
  return {
    runs: new Map(runs.map((r) => [r.id, `${r.model.name} · ${r.name}`])),
    datasets: new Map(datasets.map((d) => [d.id, d.name])),
    judges: new Map(judges.map((j) => [j.id, `${j.name} ${j.version}`])),
    users: new Map(users.map((u) => [u.id, u.name])),
  };
}

function toView(r: JobRow, names: JobNames, now: Date): JobView {
  const status = r.status as JobStatus;
  const result = (r.result ?? null) as Record<string, unknown> | null;
  const attemptStartedAt = typeof result?.attemptStartedAt === "number" ? new Date(result.attemptStartedAt) : null;
  const attemptStartDone = typeof result?.attemptStartDone === "number" ? result.attemptStartDone : 0;
  const { rate, etaSeconds } = jobRate({ status, total: r.total, done: r.done, attemptStartedAt, attemptStartDone, now });
  // While running, `result` holds the attempt's start (for the rate) and early facts; only a finished job's
  // summary is shown as its result.
  const shownResult = status === "running" || status === "queued" ? null : stripAttempt(result);
  return {
    id: r.id,
    kind: r.kind,
    status,
    title: jobTitle(r.kind, r.params, names),
    total: r.total,
    done: r.done,
    failed: r.failed,
    rate,
    etaSeconds,
    error: r.error,
    result: shownResult,
    cancelRequested: r.cancelRequested,
    attempts: r.attempts,
    createdBy: r.createdById ? (names.users.get(r.createdById) ?? null) : null,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
    errorCount: r._count.errors,
    href: jobHref(r.kind, r.params, result),
  };
}

function stripAttempt(result: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!result) return null;
  const { attemptStartedAt: _a, attemptStartDone: _b, ...rest } = result;
  return Object.keys(rest).length ? rest : null;
}

export const JOB_PAGE_SIZE = 50;

/** Newest first. `before`: the id of the last job of the previous page. */
export async function listJobs(db: DbTx, opts: { before?: string; limit?: number; now?: Date } = {}): Promise<{ items: JobView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? JOB_PAGE_SIZE, 1), 200);
  const rows = await db.job.findMany({
    select: jobSelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(opts.before ? { cursor: { id: opts.before }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  const names = await loadNames(db, page);
  const now = opts.now ?? new Date();
  return { items: page.map((r) => toView(r, names, now)), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

export const JOB_ERRORS_SHOWN = 200;

/** One job with its params and its first item errors (JOB_ERRORS_SHOWN; errorCount says how many in all). */
export async function getJob(db: DbTx, id: string, opts: { now?: Date } = {}): Promise<JobDetail | null> {
  const row = await db.job.findUnique({ where: { id }, select: jobSelect });
  if (!row) return null;
  const errors = await db.jobItemError.findMany({
    where: { jobId: id },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: JOB_ERRORS_SHOWN,
    select: { id: true, itemKey: true, message: true, createdAt: true },
  });
  const view = toView(row, await loadNames(db, [row]), opts.now ?? new Date());
  // An import's spooled file path is the server's business.
  const params = row.kind === "import" && row.params && typeof row.params === "object" ? { ...(row.params as object), file: undefined } : row.params;
  return {
    ...view,
    params,
    errors: errors.map((e): JobItemErrorView => ({ id: e.id, itemKey: e.itemKey, message: e.message, createdAt: e.createdAt.toISOString() })),
  };
}

export async function getJobOrThrow(db: DbTx, id: string): Promise<JobDetail> {
  const job = await getJob(db, id);
  if (!job) throw new AppError("not_found", `There is no job ${id}.`);
  return job;
}
