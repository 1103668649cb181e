// Import jobs: a spooled file through runImport, with progress; problems fail the job with nothing written.
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportOptionsInput } from "../imports/schema";
import { csv, seedTaxonomy } from "../imports/test-fixtures";
import { createTestDb, type TestDb } from "../test/db";
import { createImportJob } from "./data";
import { importUpload } from "../imports/http";
import { enqueue } from "./queue";
import type { ImportParams } from "./schema";
import { waitForStatus } from "./test-fixtures";
import { startWorker } from "./worker";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedTaxonomy(t.db);
});
afterAll(async () => t?.close());

const HEADER = ["id", "prompt", "category", "subcategory", "expectation", "model", "run", "response"];
const options = (dataset: string): ImportOptionsInput => ({
  format: "csv",
  mapping: {
    dataset: { value: dataset },
    prompt: { id: { column: "id" }, text: { column: "prompt" }, category: { column: "category" }, subcategory: { column: "subcategory" }, expectation: { column: "expectation" } },
    responses: [{ text: { column: "response" }, model: { column: "model" }, run: { column: "run" } }],
  },
});
const rows = (n: number, subcategory = "underspecified") =>
  Array.from({ length: n }, (_, i) => [`q${i}`, `Prompt ${i}?`, "Incomplete requests", subcategory, "should_not_comply", "model-imp", "run-1", `Answer ${i}.`]);

/** Writes a file the way the upload route spools one: alone in its own temporary directory. */
async function spool(content: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "abstain-import-"));
  const file = path.join(dir, "upload");
  await writeFile(file, content);
  return file;
}

async function runJob(p: ImportParams, queued?: { id: string }) {
  const { id } = queued ?? (await enqueue(t.db, { kind: "import", params: p }));
  const w = startWorker({ opened: t, kinds: ["import"], pollMs: 10, services: { databaseUrl: t.url } });
  try {
    return await waitForStatus(t, id, ["succeeded", "failed", "cancelled"]);
  } finally {
    await w.stop();
  }
}

describe("import job", () => {
  it("imports a spooled file, reports its records as progress, and removes the file", async () => {
    const file = await spool(csv([HEADER, ...rows(40)]));
    const actor = await t.db.user.create({ data: { email: "imp@x.org", name: "Imp", role: "researcher", passwordHash: "!" } });
    // As the upload route queues it: the spooled file, runImport's options, who imports.
    const queued = await createImportJob(t.db, { file, fileName: "forty.csv", options: { ...options("imp-ok"), actorId: actor.id }, actorId: actor.id });
    const job = await runJob({ file, fileName: "forty.csv", options: {}, deleteFile: true }, queued);
    expect(job.status).toBe("succeeded");
    expect([job.done, job.total]).toEqual([40, 40]);
    expect(job.result).toMatchObject({ status: "written", records: 40, problemCount: 0 });
    const prompts = await t.db.prompt.count({ where: { dataset: { slug: "imp-ok" } } });
    const responses = await t.db.response.count({ where: { prompt: { dataset: { slug: "imp-ok" } } } });
    expect([prompts, responses]).toEqual([40, 40]);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(job.createdById).toBe(actor.id);
    // The import's own audit entry names the person who queued it.
    expect(await t.db.auditLog.count({ where: { actorId: actor.id, action: { startsWith: "import" } } })).toBeGreaterThan(0);
  });

  it("an upload sent with background=1 becomes an import job that the worker completes", async () => {
    const actor = await t.db.user.create({ data: { email: "bg@x.org", name: "Bg", role: "researcher", passwordHash: "!" } });
    const body = (async function* () {
      yield new TextEncoder().encode(csv([HEADER, ...rows(25)]));
    })();
    const events = [];
    let queuedFile = "";
    for await (const e of importUpload(body, { options: options("imp-bg"), fileName: "bg.csv", actorId: actor.id, isAdmin: false, background: true }, undefined, async (job) => {
      queuedFile = job.file;
      return createImportJob(t.db, job);
    })) {
      events.push(e);
    }
    const last = events.at(-1)!;
    expect(last.type).toBe("job");
    // Nothing is imported in the request; the spooled file waits for the worker.
    expect(await t.db.prompt.count({ where: { dataset: { slug: "imp-bg" } } })).toBe(0);
    expect(existsSync(queuedFile)).toBe(true);
    const job = await runJob({ file: queuedFile, fileName: "bg.csv", options: {}, deleteFile: true }, { id: (last as { jobId: string }).jobId });
    expect(job.status).toBe("succeeded");
    expect(await t.db.response.count({ where: { prompt: { dataset: { slug: "imp-bg" } } } })).toBe(25);
    expect(existsSync(queuedFile)).toBe(false);
  });

  it("fails with the file's first problem and writes nothing", async () => {
    const file = await spool(csv([HEADER, ...rows(3), ...rows(2, "no such subcategory").map((r) => [`x${r[0]}`, ...r.slice(1)])]));
    const job = await runJob({ file, fileName: "bad.csv", options: options("imp-bad") as Record<string, unknown>, deleteFile: true });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/^Nothing was imported: \d+ problems?, the first: .*no such subcategory/);
    expect(job.result).toMatchObject({ status: "invalid" });
    expect(await t.db.prompt.count({ where: { dataset: { slug: "imp-bad" } } })).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it("says so when the worker cannot see the file", async () => {
    const job = await runJob({ file: path.join(tmpdir(), "abstain-import-gone", "upload"), fileName: "gone.csv", options: options("imp-gone") as Record<string, unknown>, deleteFile: true });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/gone\.csv is not on this worker's disk/);
  });
});
