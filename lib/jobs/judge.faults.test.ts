// PostgreSQL restarted, then crashed, under a running judge job: the worker PROCESS (npm run worker) keeps running,
// waits each outage out while holding its claim, and finishes from its last committed batch. Every response ends
// with exactly one label; no outage becomes a failed item, a failed job or another attempt. On a throw-away server
// (lib/test/pg-server.ts), never the shared one.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../db";
import type { TestDb } from "../test/db";
import { pgServerUnavailable, startPgServer, type PgServer } from "../test/pg-server";
import { enqueue } from "./queue";
import type { JudgeParams } from "./schema";
import { jobRow, seedCorpus, waitFor, waitForStatus } from "./test-fixtures";

const unavailable = pgServerUnavailable();

let server: PgServer;
let t: TestDb;
let total = 0;
beforeAll(async () => {
  if (unavailable) return;
  server = await startPgServer();
  const url = await server.createDatabase();
  t = { ...(await openDb({ url })), url };
  const c = await seedCorpus(t, "faults", { prompts: 500, runs: 2 });
  total = c.runs.reduce((n, r) => n + r.responses.length, 0); // 2,000
});
afterAll(async () => {
  await t?.close();
  await server?.destroy();
});

function workerProcess(url: string) {
  const root = path.resolve(import.meta.dirname, "../..");
  // Small batches and a short lease: many commits to interrupt, and the lease runs out during each outage.
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/worker.ts", "--kinds", "judge", "--concurrency", "1", "--lease-ms", "2000", "--poll-ms", "100", "--batch", "judge=20", "--judge-threads", "1"],
    { cwd: root, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (b) => (output += b));
  child.stderr!.on("data", (b) => (output += b));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exited, output: () => output };
}

describe.skipIf(Boolean(unavailable))(`judge job through database outages${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("survives a restart and a crash of PostgreSQL mid-job: one label per response, no failed items, one attempt", async () => {
    const params: JudgeParams = { judge: { kind: "heuristic", version: "faults" }, selection: { browse: {} } };
    const { id } = await enqueue(t.db, { kind: "judge", params });
    const w = workerProcess(t.url!);
    try {
      // 1. A restart (what a service restart or a failover does): sessions are terminated, the server is gone 3 s.
      await waitFor("the worker to label 200", async () => (await jobRow(t, id)).done >= 200, 60_000);
      await server.down(3_000, "fast");
      expect(w.child.exitCode).toBeNull();
      // 2. A crash: connections drop without a word; the server recovers from its WAL on start.
      const before = (await waitFor("the worker to resume", async () => {
        const j = await jobRow(t, id);
        return j.status === "running" && j.done >= 900 ? j : null;
      }, 60_000)).done;
      await server.down(2_000, "immediate");
      expect(w.child.exitCode).toBeNull();

      const job = await waitForStatus(t, id, ["succeeded", "failed", "cancelled"], 90_000);
      expect(before).toBeLessThan(total); // the crash did come mid-job
      expect([job.status, job.error, job.done, job.total, job.failed, job.attempts]).toEqual(["succeeded", null, total, total, 0, 1]);
      expect(await t.db.jobItemError.count({ where: { jobId: id } })).toBe(0);
      const judge = await t.db.judge.findUniqueOrThrow({ where: { name_version: { name: "abstain-heuristic", version: "faults" } } });
      const { rows } = await t.sql.query<{ labels: number; distinct: number; unlabelled: number }>(
        `SELECT (SELECT count(*)::int FROM "JudgeLabel" WHERE "judgeId" = $1) AS labels,
                (SELECT count(DISTINCT "responseId")::int FROM "JudgeLabel" WHERE "judgeId" = $1) AS distinct,
                (SELECT count(*)::int FROM "Response" r WHERE NOT EXISTS (SELECT 1 FROM "JudgeLabel" l WHERE l."responseId" = r.id AND l."judgeId" = $1)) AS unlabelled`,
        [judge.id],
      );
      expect(rows[0]).toEqual({ labels: total, distinct: total, unlabelled: 0 });
      // It was the worker that waited the outages out (not a job that happened to finish in between).
      expect(w.output()).toContain("job resumes after the database outage");
      expect(w.child.exitCode).toBeNull();
    } catch (err) {
      console.error(w.output().slice(-6000));
      throw err;
    } finally {
      w.child.kill("SIGTERM");
      await w.exited;
    }
  });
});
