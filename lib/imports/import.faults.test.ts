// PostgreSQL going away in the middle of an import's write transaction, on a throw-away server (lib/test/pg-server.ts).
// An import is all-or-nothing per file: an upload imported within the request fails, saying the database was
// unreachable and that nothing was written, and leaves nothing behind; importing the file again after the restart
// writes exactly its rows. An import job waits the outage out and then imports the file exactly once.
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "../db";
import type { ImportEvent } from "./http";
import type { ImportOptionsInput } from "./schema";
import { pgServerUnavailable, startPgServer, type PgServer } from "../test/pg-server";

const unavailable = pgServerUnavailable();

// Loaded after DATABASE_URL points at the throw-away server: the upload path imports into the app's own
// database (getImportTarget), which lib/env reads once.
let m: {
  db: typeof import("../db");
  http: typeof import("./http");
  fixtures: typeof import("./test-fixtures");
  jobs: typeof import("../jobs/queue");
  worker: typeof import("../jobs/worker");
  jobFixtures: typeof import("../jobs/test-fixtures");
};
let server: PgServer;
let url: string;
let t: OpenedDb;
let actorId: string;

beforeAll(async () => {
  if (unavailable) return;
  server = await startPgServer();
  url = await server.createDatabase();
  process.env.DATABASE_URL = url;
  m = {
    db: await import("../db"),
    http: await import("./http"),
    fixtures: await import("./test-fixtures"),
    jobs: await import("../jobs/queue"),
    worker: await import("../jobs/worker"),
    jobFixtures: await import("../jobs/test-fixtures"),
  };
  t = await m.db.getOpenedDb();
  await m.fixtures.seedTaxonomy(t.db);
  actorId = (await t.db.user.create({ data: { email: "importer@faults.local", name: "Importer", role: "admin", passwordHash: "!" } })).id;
});
afterAll(async () => {
  await m?.db.closeDb();
  await server?.destroy();
});

const ROWS = 6_000;
const HEADER = ["id", "prompt", "category", "subcategory", "expectation", "model", "run", "response"];
function file(tag: string): string {
  const rows = Array.from({ length: ROWS }, (_, i) => [`${tag}-${i}`, `${tag} prompt ${i}: what is on page ${i}?`, "Incomplete requests", "underspecified", "should_not_comply", `${tag}-model`, "run-1", `Answer ${i}.`]);
  return m.fixtures.csv([HEADER, ...rows]);
}
// Small chunks: many statements in the one write transaction, so the outage lands inside it.
const options = (dataset: string): ImportOptionsInput => ({
  format: "csv",
  chunkRows: 250,
  mapping: {
    dataset: { value: dataset },
    prompt: { id: { column: "id" }, text: { column: "prompt" }, category: { column: "category" }, subcategory: { column: "subcategory" }, expectation: { column: "expectation" } },
    responses: [{ text: { column: "response" }, model: { column: "model" }, run: { column: "run" } }],
  },
});

async function* body(text: string) {
  yield new TextEncoder().encode(text);
}

/** What the import wrote: its dataset's prompts and responses, and every table's total. */
async function written(dataset: string) {
  const prompts = await t.db.prompt.count({ where: { dataset: { slug: dataset } } });
  const responses = await t.db.response.count({ where: { prompt: { dataset: { slug: dataset } } } });
  return { prompts, responses, all: await m.fixtures.countAll(t.sql) };
}

describe.skipIf(Boolean(unavailable))(`imports through a database outage${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("an upload imported in the request fails saying the database was unreachable, writes nothing, and imports exactly once when retried", async () => {
    const text = file("upl");
    const before = await written("faults-upload");
    let outage: Promise<void> | null = null;
    const events: ImportEvent[] = [];
    for await (const ev of m.http.importUpload(body(text), { options: options("faults-upload"), fileName: "upload.csv", actorId, isAdmin: true })) {
      events.push(ev);
      // Mid-write: the file is validated, part of it is in the open transaction.
      if (!outage && ev.type === "progress" && ev.phase === "writing" && ev.rowsWritten > 0) outage = server.down(2_000, "fast");
    }
    await outage;
    expect(outage).not.toBeNull();
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: "error" });
    expect((last as { message: string }).message).toMatch(/database became unreachable.*nothing was written.*again/i);
    expect(await written("faults-upload")).toEqual(before); // not one row of any table

    // The same upload again, with the server back: the same process, no new pool.
    const again: ImportEvent[] = [];
    for await (const ev of m.http.importUpload(body(text), { options: options("faults-upload"), fileName: "upload.csv", actorId, isAdmin: true })) again.push(ev);
    expect(again.at(-1)).toMatchObject({ type: "result", result: { status: "written", written: { prompts: { created: ROWS }, responses: { created: ROWS } } } });
    const after = await written("faults-upload");
    expect([after.prompts, after.responses]).toEqual([ROWS, ROWS]);
    expect(after.all.Prompt - before.all.Prompt).toBe(ROWS);
    expect(after.all.Response - before.all.Response).toBe(ROWS);
  });

  it("an import job waits the outage out and imports the file exactly once", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "abstain-import-"));
    const spooled = path.join(dir, "upload");
    await writeFile(spooled, file("job"));
    const before = await written("faults-job");
    const { id } = await m.jobs.enqueue(t.db, { kind: "import", params: { file: spooled, fileName: "job.csv", options: { ...options("faults-job"), actorId }, deleteFile: true } });
    const w = m.worker.startWorker({ opened: t, kinds: ["import"], pollMs: 50, leaseMs: 2_000, services: { databaseUrl: url } });
    try {
      // Stop the server while the import's transaction is open and loading rows.
      await m.jobFixtures.waitFor("the import's write transaction", async () => {
        const { rows } = await t.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL AND query ~ 'imp_(row|prompt)'`,
        );
        return rows[0].n > 0;
      }, 60_000);
      await server.down(2_000, "immediate");
      const job = await m.jobFixtures.waitForStatus({ ...t, url }, id, ["succeeded", "failed", "cancelled"], 90_000);
      expect([job.status, job.error, job.attempts, job.done, job.total]).toEqual(["succeeded", null, 1, ROWS, ROWS]);
      expect(job.result).toMatchObject({ status: "written", records: ROWS });
      expect(await t.db.jobItemError.count({ where: { jobId: id } })).toBe(0);
      const after = await written("faults-job");
      expect([after.prompts, after.responses]).toEqual([ROWS, ROWS]);
      expect(after.all.Prompt - before.all.Prompt).toBe(ROWS);
      expect(after.all.Response - before.all.Response).toBe(ROWS);
      expect(existsSync(spooled)).toBe(false); // removed once the job had its outcome, not at the outage
    } finally {
      await w.stop();
    }
  });
});
