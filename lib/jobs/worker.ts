// A job worker: `concurrency` loops that claim jobs of the given kinds, run each kind's handler with a heartbeat,
// and end the job (succeeded / failed / cancelled) or give it back. Runs inside the app (instrumentation.ts) and
// as `npm run worker` on any machine that reaches the same PostgreSQL database.
//
// Handler contract (see handlers/*):
//   - process items in a stable order (e.g. response id), in batches; per batch call ctx.commit(progress, write):
//     the batch's writes, its item errors and the job's counts + cursor commit in ONE transaction, so a job
//     interrupted anywhere resumes after the last committed batch (ctx.job.cursor) without duplicates or gaps;
//   - an item that fails goes to ctx.commit's `errors` (JobItemError) and counts as done and failed; the job goes on;
//   - call ctx.checkpoint() before each batch and pass ctx.signal to slow calls: a cancel, a lost lease or the
//     worker stopping ends the handler there (after the last commit), never halfway through a batch;
//   - return the job's summary (stored as Job.result).
//   - the database going away (restart, failover, network) is not the job's fault: the worker waits for it with
//     a backoff, keeping its claim, and then runs the handler again from the last committed cursor (so a handler
//     must expect to be called again within one attempt, and must not turn database errors into item errors).
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { OpenedDb } from "../db";
import { getOpenedDb, retryTransient } from "../db";
import { env } from "../env";
import { isDatabaseUnavailable } from "../errors";
import { log as rootLog } from "../log";
import {
  annotate,
  claim,
  fail,
  finish,
  LeaseLostError,
  markCancelled,
  MAX_ATTEMPTS,
  progress as saveProgress,
  recordItemErrors,
  release,
  renew,
  sqlTx,
  type ClaimedJob,
  type Progress,
  type SqlTx,
} from "./queue";
import type { ChatClient, LlmEndpointConfig } from "../llm/types";
import type { JudgePool } from "./judge-pool";
import { llmFromSettings } from "./llm";

export type WorkerDb = Pick<OpenedDb, "db" | "kind" | "sql">;
type Logger = typeof rootLog;

/** Why a handler must stop now. `stopping`: the worker is shutting down (the job is given back or left to expire). */
export type StopReason = "cancelled" | "lease_lost" | "stopping";

export class JobStop extends Error {
  constructor(readonly reason: StopReason) {
    super(`job stopped: ${reason}`);
    this.name = "JobStop";
  }
}

/** The whole job failed, with a summary worth keeping (Job.result), e.g. an import's problems. */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly result?: unknown,
  ) {
    super(message);
    this.name = "JobFailure";
  }
}

/** Things handlers need from outside, injectable for tests and the bench. */
export interface JobServices {
  /** The LLM endpoint (judge and generation jobs); default: the settings (lib/settings/llm.ts). */
  llm?: () => Promise<{ client: ChatClient; config: LlmEndpointConfig }>;
  /**
   * PostgreSQL URL of the worker's database; default DATABASE_URL when the worker uses the app database. With it,
   * batches are written through pg clients of the worker's own (measured: ~10× less CPU per batch in this
   * process than through Prisma, which matters when the process also judges), and imports load with COPY.
   */
  databaseUrl?: string;
  /** Items per batch, per kind (tests use small batches to get many commits). */
  batchSize?: Partial<Record<string, number>>;
  /** Threads for heuristic judging (judge-pool.ts); null or absent: judge on the worker's own thread. */
  judgePool?: () => Promise<JudgePool | null>;
}

export interface ItemError {
  itemKey: string;
  message: string;
}

export interface JobContext {
  job: ClaimedJob;
  opened: WorkerDb;
  signal: AbortSignal;
  services: JobServices;
  log: Logger;
  /** Throws JobStop when the job must stop (cancel, lease lost, worker stopping). */
  checkpoint(): void;
  /**
   * Commits one batch: `write`'s statements, `errors` and the progress, in one transaction (deadlocks are
   * retried as a whole). Throws LeaseLostError (rolled back) when another worker owns the job now, and JobStop
   * after committing when a cancel was requested or the worker is stopping.
   */
  commit<T>(p: Progress, write?: (tx: SqlTx) => Promise<T>, errors?: readonly ItemError[]): Promise<T | undefined>;
  /** Saves progress alone (handlers whose writes are not batched, e.g. imports). */
  report(p: Progress): Promise<void>;
  /** Early facts for the page (e.g. { judgeId }), merged into Job.result. */
  annotate(info: Record<string, unknown>): Promise<void>;
}

/** Returns the job's summary (Job.result). */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;
export type HandlerRegistry = Readonly<Record<string, JobHandler>>;

export interface WorkerOptions {
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** Kinds this worker takes; default: every kind it has a handler for. */
  kinds?: readonly string[];
  /** How often an idle loop looks for work. */
  pollMs?: number;
  /** Unique per process; default host:pid:random. */
  workerId?: string;
  /** How long a claim holds without a heartbeat; renewed every leaseMs / 3. */
  leaseMs?: number;
  /** Default: the process database (getOpenedDb). */
  opened?: WorkerDb;
  handlers?: HandlerRegistry;
  services?: JobServices;
  log?: Logger;
  /**
   * Threads that run the heuristic judge beside the worker's main thread (0: none, judge on the main thread).
   * They load TypeScript through tsx: for `npm run worker`, not inside the Next.js server.
   */
  judgeThreads?: number;
  /**
   * false: the worker's timers do not keep the process alive (inside the app, whose server decides when the
   * process ends). Default true (a worker process lives for its worker).
   */
  keepProcessAlive?: boolean;
}

export interface Worker {
  id: string;
  /**
   * Stops claiming, stops running handlers at their next checkpoint and waits for them. `release` (default true)
   * gives their jobs back to the queue at once; false leaves them to be resumed when their lease expires (what a
   * crash does, without the crash).
   */
  stop(opts?: { release?: boolean }): Promise<void>;
  /** Ids of the jobs running now. */
  running(): string[];
  /** Wakes idle loops (a job was just enqueued in this process). */
  nudge(): void;
}

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_POLL_MS = 1_000;
/** How often a worker ends jobs that must not be resumed (cancelled or out of attempts) before claiming. */
export const SWEEP_EVERY_MS = 5_000;
/** Waits between tries while the database is unreachable: doubling from 250 ms to at most 5 s. */
const OUTAGE_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000];
/**
 * Database errors in a row, each after the database answered again and with no batch committed in between,
 * before a running job stops waiting them out: an error that recurs at once is the job's (a statement that kills
 * its connection, say), and the job goes back to the queue, where MAX_ATTEMPTS bounds it.
 */
const MAX_STALLED_OUTAGES = 3;

// Workers of this process, so code that enqueues a job here can wake them (nudgeWorkers).
const globalForWorkers = globalThis as unknown as { __abstainWorkers?: Set<Worker> };
const localWorkers = (globalForWorkers.__abstainWorkers ??= new Set());

/** Wakes the idle loops of every worker in this process: a job was just enqueued. */
export function nudgeWorkers(): void {
  for (const w of localWorkers) w.nudge();
}

/** Errors that say the database went away, not that the job is wrong: the job waits for it and resumes. */
function isInfrastructure(err: unknown): boolean {
  return !(err instanceof JobFailure) && isDatabaseUnavailable(err);
}

export function startWorker(opts: WorkerOptions = {}): Worker {
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const log = (opts.log ?? rootLog).child({ worker: workerId });
  const services: JobServices = { ...opts.services };
  let poolP: Promise<JudgePool | null> | null = null;
  if (!services.judgePool && (opts.judgeThreads ?? 0) > 0) {
    services.judgePool = () =>
      // Loaded only here: the pool starts threads through tsx, which the Next.js server bundle must not try to
      // include (the in-app worker never asks for threads).
      (poolP ??= import(/* turbopackIgnore: true */ /* webpackIgnore: true */ "./judge-pool")
        .then((m) => m.startJudgePool(opts.judgeThreads!))
        .then((pool) => {
          if (!pool) log.warn({ threads: opts.judgeThreads }, "judge threads could not start (they need tsx); judging on the main thread");
          return pool;
        }));
  }
  let handlersP: Promise<HandlerRegistry> | null = opts.handlers ? Promise.resolve(opts.handlers) : null;
  const handlers = () => (handlersP ??= import("./handlers").then((m) => m.defaultHandlers));
  const dbP: Promise<WorkerDb> = (opts.opened ? Promise.resolve(opts.opened) : getOpenedDb()).then((o) => {
    if (!opts.opened) services.databaseUrl ??= env().DATABASE_URL;
    services.llm ??= llmFromSettings(o.db);
    return o;
  });

  let stopping = false;
  let releaseOnStop = true;
  let lastSweep = 0;
  const running = new Map<string, AbortController>();
  const sleepers = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      if (opts.keepProcessAlive === false) t.unref?.();
      sleepers.add(done);
    });
  const wakeAll = () => [...sleepers].forEach((w) => w());

  // Batch transactions: on PostgreSQL with a URL, a small pool of plain pg clients; otherwise Prisma's.
  let batchPool: pg.Pool | null = null;
  async function inTransaction<T>(opened: WorkerDb, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    if (opened.kind === "postgresql" && services.databaseUrl) {
      if (!batchPool) {
        batchPool = new pg.Pool({ connectionString: services.databaseUrl, max: concurrency + 1 });
        batchPool.on("error", (err) => log.warn({ err: err.message }, "idle batch connection closed"));
      }
      const client = await batchPool.connect();
      // While checked out a client has no pool listener: without this, the server closing the connection would
      // be an uncaught 'error' event and end the process, instead of failing the batch's query.
      const onError = (err: Error) => log.warn({ err: err.message }, "batch connection lost");
      client.on("error", onError);
      try {
        // A batch need not be durable the moment it commits: if the server loses its last commits, it loses each
        // batch's writes together with the cursor that covers them, and the job redoes those batches. Waiting for
        // each commit's WAL flush would only slow the job down. Anything written after (finish) flushes them too.
        await client.query("BEGIN");
        await client.query("SET LOCAL synchronous_commit = off");
        const tx: SqlTx = {
          query: async <R,>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
          execute: async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rowCount ?? 0,
        };
        const out = await fn(tx);
        await client.query("COMMIT");
        return out;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.removeListener("error", onError);
        client.release();
      }
    }
    return opened.db.$transaction((tx) => fn(sqlTx(tx)), { timeout: 10 * 60_000, maxWait: 60_000 });
  }

  async function runJob(opened: WorkerDb, job: ClaimedJob, registry: HandlerRegistry): Promise<void> {
    const { db } = opened;
    const fence = job.fence;
    const jlog = log.child({ job: job.id, kind: job.kind, attempt: job.attempts });
    const ac = new AbortController();
    const stopWith = (reason: StopReason) => {
      if (!ac.signal.aborted) ac.abort(new JobStop(reason));
    };
    running.set(job.id, ac);
    if (stopping) stopWith("stopping");
    const handler = registry[job.kind];
    let beatFailing = false;
    const heartbeat = setInterval(() => {
      renew(db, fence, leaseMs).then(
        (r) => {
          beatFailing = false;
          if (!r.held) stopWith("lease_lost");
          else if (r.cancelRequested) stopWith("cancelled");
        },
        (err) => {
          // Once per outage: a database that is down fails every beat.
          if (!beatFailing) jlog.warn({ err: (err as Error).message }, "job heartbeat failed; retrying at the next beat");
          beatFailing = true;
        },
      );
    }, Math.max(50, Math.floor(leaseMs / 3)));
    heartbeat.unref?.();

    const checkpoint = () => {
      if (ac.signal.aborted) throw ac.signal.reason instanceof JobStop ? ac.signal.reason : new JobStop("stopping");
    };
    /**
     * Tries `fn` until the database answers it, backing off; a stop (worker stopping, cancel seen by the
     * heartbeat) ends the wait. Errors that are not the database's are thrown at once.
     */
    async function whenReachable<T>(what: string, fn: () => Promise<T>, opts: { announced?: boolean } = {}): Promise<T> {
      const started = Date.now();
      for (let i = 0; ; i++) {
        checkpoint();
        try {
          const out = await fn();
          if (i > 0) jlog.info({ waitedMs: Date.now() - started }, `database reachable again (${what})`);
          return out;
        } catch (err) {
          if (!isInfrastructure(err)) throw err;
          if (i === 0 && !opts.announced) jlog.warn({ err: (err as Error).message }, `database unreachable (${what}); waiting for it`);
        }
        await sleep(OUTAGE_BACKOFF_MS[Math.min(i, OUTAGE_BACKOFF_MS.length - 1)]);
      }
    }

    /**
     * Runs the handler; when the database goes away under it, waits until the database answers, checks that this
     * attempt still holds the job (its lease may have run out meanwhile: if another worker took the job, this
     * attempt ends), reloads the committed progress and runs the handler again from there. The attempt keeps its
     * claim throughout, so an outage costs no attempt and never fails the job.
     */
    async function runThroughOutages(): Promise<unknown> {
      let stalled = 0;
      for (;;) {
        try {
          return await handler(ctx);
        } catch (err) {
          if (!isInfrastructure(err) || ac.signal.aborted) throw err;
          const before = ctx.job.done;
          jlog.warn({ err: (err as Error).message }, "job interrupted by a database outage; waiting for the database");
          const state = await whenReachable(
            "resuming the job",
            async () => {
              const r = await renew(db, fence, leaseMs);
              if (!r.held) throw new LeaseLostError(fence.jobId);
              if (r.cancelRequested) throw new JobStop("cancelled");
              return db.job.findUniqueOrThrow({ where: { id: job.id }, select: { total: true, done: true, failed: true, cursor: true } });
            },
            { announced: true },
          );
          stalled = state.done > before ? 0 : stalled + 1;
          if (stalled >= MAX_STALLED_OUTAGES) throw err;
          jlog.info({ cursor: state.cursor, done: state.done }, "job resumes after the database outage");
          ctx.job = { ...ctx.job, ...state };
        }
      }
    }

    const ctx: JobContext = {
      job,
      opened,
      signal: ac.signal,
      services,
      log: jlog,
      checkpoint,
      async commit(p, write, errors = []) {
        let cancel = false;
        const out = await retryTransient(() =>
          inTransaction(opened, async (tx) => {
            cancel = (await saveProgress(tx, fence, p, leaseMs)).cancelRequested;
            const res = write ? await write(tx) : undefined;
            await recordItemErrors(tx, job.id, errors);
            return res;
          }),
        );
        if (cancel) stopWith("cancelled");
        checkpoint();
        return out;
      },
      async report(p) {
        await ctx.commit(p);
      },
      annotate: (info) => annotate(db, fence, info),
    };

    try {
      if (!handler) throw new Error(`No handler for jobs of kind "${job.kind}" in this worker.`);
      if (job.cancelRequested) throw new JobStop("cancelled");
      jlog.info({ cursor: job.cursor, done: job.done, total: job.total }, job.attempts > 1 ? "job resumed" : "job started");
      const result = await runThroughOutages();
      if (await whenReachable("finishing the job", () => finish(db, fence, result ?? {}))) jlog.info({ result }, "job succeeded");
      else jlog.warn("job finished after its lease was lost; the new owner's outcome stands");
    } catch (err) {
      const stop = err instanceof JobStop ? err : ac.signal.reason instanceof JobStop && ac.signal.aborted ? ac.signal.reason : null;
      if (err instanceof LeaseLostError || stop?.reason === "lease_lost") {
        jlog.warn("job lease lost; another worker resumes it");
      } else if (stop?.reason === "cancelled") {
        await markCancelled(db, fence).catch((e) => jlog.error({ err: e }, "could not mark the job cancelled"));
        jlog.info("job cancelled");
      } else if (stop?.reason === "stopping") {
        if (releaseOnStop) await release(db, fence).catch((e) => jlog.warn({ err: (e as Error).message }, "could not give the job back; it resumes when its lease expires"));
        jlog.info({ released: releaseOnStop }, "job interrupted: worker stopping");
      } else if (isInfrastructure(err) && job.attempts < MAX_ATTEMPTS) {
        // The same database error again and again (see MAX_STALLED_OUTAGES): give the job back (or, if even that
        // fails, let the lease expire); another attempt resumes it.
        jlog.warn({ err: (err as Error).message }, "job interrupted by a database error; it will resume");
        await release(db, fence).catch(() => {});
      } else {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof JobFailure) jlog.warn({ error: message }, "job failed");
        else jlog.error({ err }, "job failed");
        await fail(db, fence, message, err instanceof JobFailure ? err.result : undefined).catch((e) => jlog.error({ err: e }, "could not mark the job failed"));
      }
    } finally {
      clearInterval(heartbeat);
      running.delete(job.id);
    }
  }

  async function loop(slot: number): Promise<void> {
    const opened = await dbP;
    const registry = await handlers();
    const kinds = opts.kinds ?? Object.keys(registry);
    let failures = 0;
    while (!stopping) {
      let job: ClaimedJob | null = null;
      try {
        const sweep = Date.now() - lastSweep >= SWEEP_EVERY_MS;
        if (sweep) lastSweep = Date.now();
        job = await claim(opened.db, workerId, kinds, leaseMs, { sweep });
        if (failures) log.info({ slot, failures }, "claiming jobs again");
        failures = 0;
      } catch (err) {
        // Once per outage, not once per poll; the polls back off meanwhile.
        if (!failures++) log.warn({ err: (err as Error).message, slot }, "could not claim a job; retrying");
      }
      if (stopping && job) {
        await release(opened.db, job.fence).catch(() => {});
        break;
      }
      if (job) await runJob(opened, job, registry);
      else await sleep(failures ? Math.max(pollMs, OUTAGE_BACKOFF_MS[Math.min(failures, OUTAGE_BACKOFF_MS.length) - 1]) : pollMs);
    }
  }

  const loops = Array.from({ length: concurrency }, (_, i) =>
    loop(i).catch((err) => {
      log.error({ err }, "job worker loop failed");
    }),
  );

  const worker: Worker = {
    id: workerId,
    async stop(o = {}) {
      stopping = true;
      releaseOnStop = o.release ?? true;
      for (const ac of running.values()) if (!ac.signal.aborted) ac.abort(new JobStop("stopping"));
      wakeAll();
      await Promise.all(loops);
      localWorkers.delete(worker);
      const pool = batchPool;
      batchPool = null;
      if (pool) await pool.end().catch(() => {});
      const threads = await poolP?.catch(() => null);
      poolP = null;
      if (threads) await threads.close();
    },
    running: () => [...running.keys()],
    nudge: wakeAll,
  };
  localWorkers.add(worker);
  log.info({ concurrency, kinds: opts.kinds ?? "all", leaseMs }, "job worker started");
  return worker;
}

/** Lets the event loop breathe during CPU-bound work (the in-app worker shares it with web requests). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
