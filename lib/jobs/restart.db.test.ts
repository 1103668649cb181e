// A worker PROCESS (npm run worker) stopped mid-job, gracefully and by SIGKILL: the job resumes in another
// worker from its last committed batch, and every response ends up with exactly one label. PostgreSQL only: the
// embedded database admits one process (judge.db.test.ts covers the same with in-process workers there).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../test/db";
import { enqueue } from "./queue";
import type { JudgeParams } from "./schema";
import { jobRow, labelCount, seedCorpus, waitFor, waitForStatus, type Corpus } from "./test-fixtures";
import { startWorker } from "./worker";

const onPostgres = Boolean(process.env.DATABASE_URL);

let t: TestDb;
let c: Corpus;
beforeAll(async () => {
  if (!onPostgres) return;
  t = await createTestDb();
  c = await seedCorpus(t, "restart", { prompts: 400, runs: 2 }); // 1,600 responses
}, 180_000);
afterAll(async () => t?.close());

function workerProcess(): { child: ChildProcess; exited: Promise<number | null> } {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts", "--kinds", "judge", "--lease-ms", "1500", "--poll-ms", "50", "--batch", "judge=10", "--judge-threads", "1"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exited };
}

describe.skipIf(!onPostgres)("a worker process stopped mid-job", () => {
  it("gives the job back on SIGTERM, loses nothing to SIGKILL, and another worker finishes it", async () => {
    const params: JudgeParams = { judge: { kind: "heuristic", version: "restart" }, selection: { browse: {} } };
    const { id } = await enqueue(t.db, { kind: "judge", params });
    const total = c.runs.reduce((n, r) => n + r.responses.length, 0);

    // 1. Graceful: SIGTERM → the batch in flight commits, the job goes back to the queue with its cursor.
    const first = workerProcess();
    await waitFor("the first process to label 100", async () => (await jobRow(t, id)).done >= 100, 60_000);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const afterTerm = await jobRow(t, id);
    expect(afterTerm.status).toBe("queued");
    expect(afterTerm.done).toBeLessThan(total);
    const judge = await t.db.judge.findUniqueOrThrow({ where: { name_version: { name: "abstain-heuristic", version: "restart" } } });
    expect(await labelCount(t, judge.id)).toBe(afterTerm.done);

    // 2. A crash: SIGKILL in the middle of the job. The lease (1.5 s) keeps others off until it runs out.
    const second = workerProcess();
    await waitFor("the second process to resume", async () => (await jobRow(t, id)).done >= afterTerm.done + 100, 60_000);
    second.child.kill("SIGKILL");
    await second.exited;
    const afterKill = await jobRow(t, id);
    expect(afterKill.status).toBe("running");
    expect(afterKill.done).toBeLessThan(total);
    expect(await labelCount(t, judge.id)).toBe(afterKill.done); // the batch in flight at the kill left nothing

    // 3. Another worker takes over when the lease expires and finishes from the cursor.
    const w = startWorker({ opened: t, kinds: ["judge"], pollMs: 50 });
    let job;
    try {
      job = await waitForStatus(t, id, ["succeeded", "failed"], 60_000);
    } finally {
      await w.stop();
    }
    expect([job.status, job.done, job.total, job.failed, job.attempts]).toEqual(["succeeded", total, total, 0, 3]);
    const { rows } = await t.sql.query<{ labels: number; responses: number; unlabelled: number }>(
      `SELECT (SELECT count(*)::int FROM "JudgeLabel" WHERE "judgeId" = $1) AS labels,
              (SELECT count(*)::int FROM "Response") AS responses,
              (SELECT count(*)::int FROM "Response" r WHERE NOT EXISTS (SELECT 1 FROM "JudgeLabel" l WHERE l."responseId" = r.id AND l."judgeId" = $1)) AS unlabelled`,
      [judge.id],
    );
    expect(rows[0]).toEqual({ labels: total, responses: total, unlabelled: 0 });
  }, 180_000);
});
