// Heuristic judging of the bench corpus as a background job, against a bare insert of the same labels.
//
//   job        enqueue a heuristic judge job (a new judge version) over every response of the corpus (a Browse
//              selection with no filter) and run it through the job worker as `npm run worker` does: claim;
//              batches of 10,000: read, judge (on defaultJudgeThreads() threads: none on two cores, cores − 1 on
//              more, at most 4; none = on the worker's main thread, as the in-app worker does), INSERT … SELECT …
//              ON CONFLICT DO NOTHING with the progress in the same transaction; the next batch is read and the
//              last one inserted while this one is judged. Timed from enqueue to "succeeded". Responses per second.
//   baseline   the same labels (verdict, rationale, raw output: copied from the job's own labels into a temporary
//              table beforehand) inserted for another fresh judge version with one INSERT … SELECT: what the
//              database spends on the labels alone (index, foreign keys, the Results count triggers), with no
//              reading, no judging and no job bookkeeping. Responses per second; the median of three runs (each
//              rolled back), taken around the last job below, since one run on a shared machine varies 2×.
//   target     job ≥ 0.5 × baseline.
// Context, same baseline:
//   - the same job the other way round (one judge thread where the default is none, else the main thread), and
//     the heuristic alone on one core (a 5,000-response sample);
//   - the same job with the heuristic replaced by a lookup of precomputed verdicts (same handler code path,
//     lib/jobs/handlers/judge.ts runLocalJudge): the job machinery's own cost.
//
// Cleans up after itself: the judge versions, their labels and count rows, and the jobs are deleted.
//
//   npx tsx bench/judge.ts [--url=postgresql://…/abstain_bench_100k] [--judge-threads=N]   (standalone; N: the
//                                                                    first job's threads, default defaultJudgeThreads())
//   import { benchJudging } from "./judge"; lines.push(...await benchJudging(url));   (npm run bench)
import { availableParallelism } from "node:os";
import pg from "pg";
import { openDb, type OpenedDb } from "../lib/db";
import { HEURISTIC_JUDGE, judgeHeuristic } from "../lib/judges/heuristic";
import { runLocalJudge, type LocalJudge } from "../lib/jobs/handlers/judge";
import { enqueue } from "../lib/jobs/queue";
import { judgeParamsSchema, type JudgeParams } from "../lib/jobs/schema";
import { defaultJudgeThreads, startJudgePool } from "../lib/jobs/judge-pool";
import { startWorker, type HandlerRegistry } from "../lib/jobs/worker";
import { median } from "./stats";

export interface BenchLine {
  what: string;
  /** Responses per second. */
  ours: number;
  /** Responses per second of the bare insert. */
  baseline: number;
  target: string;
  ok: boolean;
}

export const JUDGING_TARGET_RATIO = 0.5;
const PRECOMPUTED = "bench-precomputed";

/** Runs one judge job through a worker; returns its wall time (enqueue → succeeded) and item count. */
async function timeJob(
  opened: OpenedDb,
  url: string,
  params: JudgeParams,
  opts: { handlers?: HandlerRegistry; judgeThreads?: number } = {},
): Promise<{ seconds: number; done: number; jobId: string; threads: number }> {
  // Threads start before the clock: a worker process starts them once, not per job.
  const pool = opts.judgeThreads ? await startJudgePool(opts.judgeThreads) : null;
  if (opts.judgeThreads && !pool) throw new Error("bench: judge threads did not start");
  const t = performance.now();
  const { id } = await enqueue(opened.db, { kind: "judge", params });
  // As `npm run worker` runs on PostgreSQL: the database URL lets it write batches through its own pg clients.
  const worker = startWorker({
    opened,
    kinds: ["judge"],
    pollMs: 10,
    concurrency: 1,
    handlers: opts.handlers,
    services: { databaseUrl: url, judgePool: async () => pool },
  });
  try {
    for (;;) {
      const job = await opened.db.job.findUniqueOrThrow({ where: { id }, select: { status: true, done: true, error: true } });
      if (job.status === "succeeded") return { seconds: (performance.now() - t) / 1000, done: job.done, jobId: id, threads: pool?.threads ?? 0 };
      if (job.status !== "queued" && job.status !== "running") throw new Error(`bench: the judge job ended ${job.status}: ${job.error ?? ""}`);
      await new Promise((r) => setTimeout(r, 100)); // rarely: the poll shares the worker's thread
    }
  } finally {
    await worker.stop();
    await pool?.close();
  }
}

/** Deletes judge versions with their labels (whose triggers keep the counts right) and their count rows. */
async function dropJudges(client: pg.Client, versions: [name: string, version: string][]): Promise<void> {
  for (const [name, version] of versions) {
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM "Judge" WHERE name = $1 AND version = $2`, [name, version]);
    if (!rows.length) continue;
    await client.query(`DELETE FROM "JudgeLabel" WHERE "judgeId" = $1`, [rows[0].id]);
    await client.query(`DELETE FROM "JudgeCellCount" WHERE "judgeId" = $1`, [rows[0].id]);
    await client.query(`DELETE FROM "Judge" WHERE id = $1`, [rows[0].id]);
  }
}

export async function benchJudging(url: string, opts: { judgeThreads?: number } = {}): Promise<BenchLine[]> {
  const opened = await openDb({ url });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const stamp = Date.now().toString(36);
  const v = { job: `bench-job-${stamp}`, single: `bench-single-${stamp}`, pre: `bench-pre-${stamp}`, bare: `bench-bare-${stamp}` };
  const jobIds: string[] = [];
  try {
    const { rows: [{ n: responses }] } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Response"`);
    if (!responses) throw new Error(`bench: no responses in ${url}; seed the corpus first (npm run bench:seed)`);

    // The heuristic alone, one core.
    const { rows: sample } = await client.query<{ response: string; prompt: string; sub: string; cat: string }>(
      `SELECT r.text AS response, p.text AS prompt, s.slug AS sub, c.slug AS cat FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
       JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId" ORDER BY r.id LIMIT 5000`,
    );
    for (const r of sample.slice(0, 500)) judgeHeuristic({ prompt: r.prompt, response: r.response, category: r.cat, subcategory: r.sub });
    const t = performance.now();
    for (const r of sample) judgeHeuristic({ prompt: r.prompt, response: r.response, category: r.cat, subcategory: r.sub });
    const heuristicRate = sample.length / ((performance.now() - t) / 1000);

    // 1. The heuristic judge job as `npm run worker` runs it here (defaultJudgeThreads: none on two cores, where
    //    the main thread judges as the in-app worker does), and the same job the other way (one judge thread, or
    //    the main thread alone where the default has threads); the second version's labels are dropped right away.
    const threads = opts.judgeThreads ?? defaultJudgeThreads();
    const job = await timeJob(opened, url, { judge: { kind: "heuristic", version: v.job }, selection: { browse: {} } }, { judgeThreads: threads });
    jobIds.push(job.jobId);
    const single = await timeJob(opened, url, { judge: { kind: "heuristic", version: v.single }, selection: { browse: {} } }, { judgeThreads: threads ? 0 : 1 });
    jobIds.push(single.jobId);
    await dropJudges(client, [[HEURISTIC_JUDGE.name, v.single]]);
    const jobJudge = await opened.db.judge.findUniqueOrThrow({ where: { name_version: { name: HEURISTIC_JUDGE.name, version: v.job } }, select: { id: true } });

    // Baseline: the same labels, precomputed, one INSERT … SELECT for a fresh version, rolled back after timing.
    // Measured three times, around job 2 (median): one measurement on a shared machine moves by a factor of two
    // with whatever else runs.
    await client.query(
      `CREATE TEMP TABLE bench_labels AS SELECT 'cb' || md5("responseId" || $2) AS id, "responseId", verdict, rationale, "rawOutput" FROM "JudgeLabel" WHERE "judgeId" = $1`,
      [jobJudge.id, stamp],
    );
    await client.query(`ANALYZE bench_labels`);
    const bareJudgeId = `bench-bare-${stamp}`;
    await client.query(`INSERT INTO "Judge" (id, name, kind, version, config, "createdAt") VALUES ($1, $2, 'heuristic', $3, '{}', now())`, [bareJudgeId, HEURISTIC_JUDGE.name, v.bare]);
    const bareRates: number[] = [];
    const bare = async () => {
      await client.query("BEGIN");
      const t0 = performance.now();
      const inserted = await client.query(
        `INSERT INTO "JudgeLabel" (id, "responseId", "judgeId", verdict, rationale, "rawOutput", "createdAt")
         SELECT id, "responseId", $1, verdict, rationale, "rawOutput", (now() AT TIME ZONE 'UTC') FROM bench_labels`,
        [bareJudgeId],
      );
      bareRates.push((inserted.rowCount ?? 0) / ((performance.now() - t0) / 1000));
      await client.query("ROLLBACK");
    };
    await bare();

    // 2. The same job path with the verdicts looked up instead of computed.
    const { rows: labels } = await client.query<{ responseId: string; verdict: string; rationale: string; rawOutput: string }>(
      `SELECT "responseId", verdict::text AS verdict, rationale, "rawOutput" FROM "JudgeLabel" WHERE "judgeId" = $1`,
      [jobJudge.id],
    );
    const known = new Map(labels.map((l) => [l.responseId, { verdict: l.verdict, rationale: l.rationale, rawOutput: l.rawOutput, rubricVersionId: null }]));
    labels.length = 0;
    const lookup: LocalJudge = {
      name: PRECOMPUTED,
      config: {},
      label: (row) => {
        const l = known.get(row.id);
        if (!l) throw new Error("no precomputed verdict");
        return l;
      },
    };
    const pre = await timeJob(opened, url, { judge: { kind: "heuristic", version: v.pre }, selection: { browse: {} } }, {
      handlers: { judge: (ctx) => runLocalJudge(ctx, judgeParamsSchema.parse(ctx.job.params), lookup) },
    });
    jobIds.push(pre.jobId);
    known.clear();
    await bare();
    await bare();
    const baseline = median(bareRates);

    const s = (x: number) => `${x.toFixed(1)} s`;
    const rate = (x: number) => `${Math.round(x).toLocaleString("en")}/s`;
    return [
      {
        what:
          `Heuristic judging as a job, ${job.done.toLocaleString("en")} responses, ${job.threads ? `${job.threads} judge thread${job.threads === 1 ? "" : "s"}` : "on the worker's main thread"}, responses/s ` +
          `(${s(job.seconds)}; bare insert ${s(job.done / baseline)}; the heuristic alone ${rate(heuristicRate)} on one core, ${availableParallelism()} cores)`,
        ours: job.done / job.seconds,
        baseline,
        target: `≥ ${JUDGING_TARGET_RATIO}× bare insert`,
        ok: job.done / job.seconds >= JUDGING_TARGET_RATIO * baseline,
      },
      {
        what: `The same job ${single.threads ? `with ${single.threads} judge thread${single.threads === 1 ? "" : "s"}` : "judging on the worker's main thread"}, responses/s (${s(single.seconds)})`,
        ours: single.done / single.seconds,
        baseline,
        target: `≥ ${JUDGING_TARGET_RATIO}× bare insert`,
        ok: single.done / single.seconds >= JUDGING_TARGET_RATIO * baseline,
      },
      {
        what: `The same job with precomputed verdicts (job machinery alone), responses/s (${s(pre.seconds)})`,
        ours: pre.done / pre.seconds,
        baseline,
        target: `≥ ${JUDGING_TARGET_RATIO}× bare insert`,
        ok: pre.done / pre.seconds >= JUDGING_TARGET_RATIO * baseline,
      },
    ];
  } finally {
    // Cleanup (not timed): labels first (their triggers keep the counts right), then count rows, judges, jobs.
    await client.query(`DROP TABLE IF EXISTS bench_labels`).catch(() => {});
    await dropJudges(client, [
      [HEURISTIC_JUDGE.name, v.job],
      [HEURISTIC_JUDGE.name, v.single],
      [HEURISTIC_JUDGE.name, v.bare],
      [PRECOMPUTED, v.pre],
    ]);
    if (jobIds.length) await client.query(`DELETE FROM "Job" WHERE id = ANY($1)`, [jobIds]);
    await client.query(`VACUUM ANALYZE "JudgeLabel"`).catch(() => {});
    await client.end();
    await opened.close();
  }
}

// Standalone: npx tsx bench/judge.ts [--url=URL] [--judge-threads=N]
if (process.argv[1]?.endsWith("bench/judge.ts")) {
  const url = process.argv.find((a) => a.startsWith("--url="))?.slice(6) ?? "postgresql://postgres@127.0.0.1:5432/abstain_bench_100k";
  const threads = process.argv.find((a) => a.startsWith("--judge-threads="))?.slice(16);
  if (threads !== undefined && !/^[1-9]\d*$/.test(threads)) throw new Error(`--judge-threads must be a positive integer (got "${threads}")`);
  const lines = await benchJudging(url, { judgeThreads: threads ? Number(threads) : undefined });
  for (const l of lines) {
    console.log(`${l.what}\n  ours ${Math.round(l.ours).toLocaleString("en")}/s  baseline ${Math.round(l.baseline).toLocaleString("en")}/s  ratio ${(l.ours / l.baseline).toFixed(2)}×  target ${l.target}  ${l.ok ? "ok" : "MISSED"}`);
  }
  process.exit(lines.every((l) => l.ok) ? 0 : 1);
}
