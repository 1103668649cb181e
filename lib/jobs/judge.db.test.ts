// Judge jobs: every response of a selection labelled once per judge version, across crashes, cancels, failing
// items and new versions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listResponses } from "../browse/data";
import type { BrowseFilter } from "../browse/schema";
import { HEURISTIC_JUDGE, judgeHeuristic } from "../judges/heuristic";
import { createTestDb, type TestDb } from "../test/db";
import { judgeHandler } from "./handlers/judge";
import { enqueue, sqlTx, requestCancel } from "./queue";
import type { JudgeParams } from "./schema";
import { fetchSelection } from "./selection";
import { fakeChat, jobRow, labelCount, seedCorpus, waitFor, waitForStatus, type Corpus } from "./test-fixtures";
import { JobStop, startWorker, type HandlerRegistry, type JobContext, type Worker } from "./worker";

let t: TestDb;
let c: Corpus;
beforeAll(async () => {
  t = await createTestDb();
  c = await seedCorpus(t, "judge", { prompts: 30, runs: 3 }); // 3 runs × 60 responses
});
afterAll(async () => t?.close());

const workers: Worker[] = [];
function worker(opts: Parameters<typeof startWorker>[0] = {}): Worker {
  // With the database URL (PostgreSQL), batches go through the worker's own pg clients; the queue tests cover Prisma's.
  const w = startWorker({ opened: t, kinds: ["judge"], pollMs: 10, ...opts, services: { databaseUrl: t.url, ...opts.services } });
  workers.push(w);
  return w;
}
async function stopAll() {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
}

async function judgeByName(version: string, name: string = HEURISTIC_JUDGE.name) {
  return t.db.judge.findUniqueOrThrow({ where: { name_version: { name, version } } });
}

async function labelsOf(judgeId: string) {
  return t.db.judgeLabel.findMany({ where: { judgeId }, select: { responseId: true, verdict: true, rationale: true, createdAt: true }, orderBy: { responseId: "asc" } });
}

async function runJob(params: JudgeParams, opts: Parameters<typeof startWorker>[0] = {}) {
  const { id } = await enqueue(t.db, { kind: "judge", params });
  worker(opts);
  try {
    return await waitForStatus(t, id, ["succeeded", "failed", "cancelled"]);
  } finally {
    await stopAll();
  }
}

describe("heuristic judge job", () => {
  it("labels every response of a run once, with the heuristic's verdict and rationale", async () => {
    const run = c.runs[0];
    const job = await runJob({ judge: { kind: "heuristic", version: "h-run" }, selection: { runId: run.id } }, { services: { batchSize: { judge: 7 } } });
    expect(job.status).toBe("succeeded");
    expect([job.total, job.done, job.failed]).toEqual([60, 60, 0]);
    const judge = await judgeByName("h-run");
    expect(judge.kind).toBe("heuristic");
    const labels = await labelsOf(judge.id);
    expect(labels.map((l) => l.responseId)).toEqual([...run.responses].sort());
    // Each label is what the heuristic says about that response.
    const one = await t.db.response.findUniqueOrThrow({
      where: { id: labels[5].responseId },
      select: { text: true, prompt: { select: { text: true, expectation: true, subcategory: { select: { slug: true, category: { select: { slug: true } } } } } } },
    });
    const expected = judgeHeuristic({ prompt: one.prompt.text, response: one.text, category: one.prompt.subcategory.category.slug, subcategory: one.prompt.subcategory.slug });
    expect([labels[5].verdict, labels[5].rationale]).toEqual([expected.verdict, expected.rationale]);
    expect(job.result).toMatchObject({ judgeId: judge.id, labelsCreated: 60, alreadyLabelled: 0, judgeThreads: 0 });
    // The Results aggregates saw every label (statement-level triggers on the batched inserts).
    const { rows } = await t.sql.query<{ n: number }>(
      `SELECT sum(complied + noncompliant + partial + unclear)::int AS n FROM "JudgeCellCount" WHERE "judgeId" = $1`,
      [judge.id],
    );
    expect(rows[0].n).toBe(60);
  });

  it("labels exactly the same on judge threads as on the worker's own thread", async () => {
    const run = c.runs[0];
    const job = await runJob({ judge: { kind: "heuristic", version: "threads" }, selection: { runId: run.id } }, { judgeThreads: 2, services: { batchSize: { judge: 25 } } });
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ judgeThreads: 2 });
    await runJob({ judge: { kind: "heuristic", version: "no-threads" }, selection: { runId: run.id } });
    const [threaded, inline] = [await labelsOf((await judgeByName("threads")).id), await labelsOf((await judgeByName("no-threads")).id)];
    expect(threaded).toHaveLength(60);
    expect(threaded.map((l) => [l.responseId, l.verdict, l.rationale])).toEqual(inline.map((l) => [l.responseId, l.verdict, l.rationale]));
  });

  it("keeps both versions' labels when a run is judged again with a new version; the same version only fills gaps", async () => {
    const run = c.runs[1];
    await runJob({ judge: { kind: "heuristic", version: "v1" }, selection: { runId: run.id } });
    const v1 = await judgeByName("v1");
    const before = await labelsOf(v1.id);
    const second = await runJob({ judge: { kind: "heuristic", version: "v2" }, selection: { runId: run.id } });
    const v2 = await judgeByName("v2");
    expect(v2.id).not.toBe(v1.id);
    expect(await labelCount(t, v2.id)).toBe(60);
    expect(await labelsOf(v1.id)).toEqual(before); // untouched, timestamps included
    expect(second.result).toMatchObject({ labelsCreated: 60 });
    // v1 again, over the whole dataset 1: the 30 responses of this run to it are skipped, the rest labelled.
    const ds = c.datasets[0];
    const again = await runJob({ judge: { kind: "heuristic", version: "v1" }, selection: { datasetId: ds.id } });
    expect(again.result).toMatchObject({ labelsCreated: 60, alreadyLabelled: 30 });
    expect([again.total, again.done]).toEqual([90, 90]);
    expect((await labelsOf(v1.id)).filter((l) => before.some((b) => b.responseId === l.responseId))).toEqual(before);
  });

  it("resumes after its worker dies mid-batch: no label twice, none missing", async () => {
    const run = c.runs[2];
    const { id } = await enqueue(t.db, { kind: "judge", params: { judge: { kind: "heuristic", version: "crash" }, selection: { runId: run.id } } satisfies JudgeParams });
    // Worker A dies during its 4th batch: that batch's transaction never commits, its heartbeat stops.
    let commits = 0;
    let a!: Worker;
    const dying: HandlerRegistry = {
      judge: (ctx: JobContext) =>
        judgeHandler({
          ...ctx,
          commit: async (p, write, errors) => {
            if (++commits === 4) {
              await t.db.$transaction(async (tx) => {
                await write?.(sqlTx(tx));
                throw new Error("power cut");
              }).catch(() => {});
              void a.stop({ release: false });
              throw new JobStop("stopping");
            }
            return ctx.commit(p, write, errors);
          },
        }),
    };
    a = worker({ handlers: dying, leaseMs: 400, services: { batchSize: { judge: 8 } } });
    await waitFor("worker A to die", async () => commits >= 4 && a.running().length === 0);
    const mid = await jobRow(t, id);
    const judge = await judgeByName("crash");
    // Exactly the three committed batches are there, and the cursor says so.
    expect(mid.status).toBe("running");
    expect(mid.done).toBe(24);
    expect(await labelCount(t, judge.id)).toBe(24);
    expect(mid.cursor).toBe([...run.responses].sort()[23]);

    // Worker B takes the job over once A's lease has run out, and finishes it from the cursor.
    worker({ services: { batchSize: { judge: 8 } } });
    const done = await waitForStatus(t, id, ["succeeded", "failed"]);
    await stopAll();
    expect(done.status).toBe("succeeded");
    expect([done.done, done.total, done.failed, done.attempts]).toEqual([60, 60, 0, 2]);
    const labels = await labelsOf(judge.id);
    expect(labels.map((l) => l.responseId)).toEqual([...run.responses].sort());
  });

  it("stops at the next batch when cancelled, keeping what it wrote", async () => {
    const ds = c.datasets[1]; // 90 responses
    const { id } = await enqueue(t.db, { kind: "judge", params: { judge: { kind: "heuristic", version: "cancel" }, selection: { datasetId: ds.id } } satisfies JudgeParams });
    let commits = 0;
    let cancelled!: () => void;
    const afterCancel = new Promise<void>((r) => (cancelled = r));
    const paused: HandlerRegistry = {
      judge: (ctx: JobContext) =>
        judgeHandler({
          ...ctx,
          commit: async (p, write, errors) => {
            const out = await ctx.commit(p, write, errors);
            if (++commits === 2) await afterCancel; // hold the job here until the cancel is in
            return out;
          },
        }),
    };
    worker({ handlers: paused, services: { batchSize: { judge: 10 } } });
    await waitFor("two batches", async () => commits >= 2);
    expect(await requestCancel(t.db, id)).toBe("running");
    cancelled();
    const job = await waitForStatus(t, id, ["cancelled", "succeeded", "failed"]);
    await stopAll();
    expect(job.status).toBe("cancelled");
    // The batch being written when the cancel came in completes; nothing after it.
    expect(job.done).toBe(30);
    expect(await labelCount(t, (await judgeByName("cancel")).id)).toBe(30);
  });
});

describe("LLM judge job", () => {
  // Answers in the template's own classes (should-comply prompts get NONCOMPLIANCE / COMPLIANCE).
  const labelFor = (user: string) => {
    const [refuses, complies] = user.includes("ACCEPTABLE: ") ? ["ACCEPTABLE", "UNACCEPTABLE"] : ["NONCOMPLIANCE", "COMPLIANCE"];
    return /I'm sorry/.test(user) ? `The model refuses. <label>${refuses}</label>` : `It answers. <label>${complies}</label>`;
  };

  it("records failing items and goes on; labels the rest with rationale, raw output and rubric version", async () => {
    const run = c.runs[0];
    const failing = new Set([...run.responses].sort().filter((_, i) => i % 10 === 3)); // 6 responses
    const texts = new Map((await t.db.response.findMany({ where: { id: { in: [...failing] } }, select: { id: true, text: true } })).map((r) => [r.text, r.id]));
    const fake = fakeChat((_req, user) => ([...texts.keys()].some((txt) => user.includes(txt)) ? new Error("fake.invalid answered HTTP 500: boom") : labelFor(user)));
    const job = await runJob({ judge: { kind: "llm", name: "coconot-llm", version: "llm-1" }, selection: { runId: run.id } }, { services: { ...fake.services, batchSize: { judge: 16 } } });
    expect(job.status).toBe("succeeded");
    expect([job.done, job.failed]).toEqual([60, 6]);
    const errors = await t.db.jobItemError.findMany({ where: { jobId: job.id } });
    expect(errors.map((e) => e.itemKey).sort()).toEqual([...failing].sort());
    expect(errors[0].message).toContain("HTTP 500");
    const judge = await judgeByName("llm-1", "coconot-llm");
    expect(judge.kind).toBe("llm");
    expect(judge.config).toMatchObject({ model: "fake-model" });
    const labels = await t.db.judgeLabel.findMany({ where: { judgeId: judge.id }, select: { responseId: true, verdict: true, rationale: true, rawOutput: true, rubricVersionId: true } });
    expect(labels).toHaveLength(54);
    expect(labels.some((l) => failing.has(l.responseId))).toBe(false);
    expect(labels.every((l) => l.rubricVersionId !== null && l.rawOutput.includes("<label>"))).toBe(true);
    const refusals = labels.filter((l) => l.rawOutput.startsWith("The model refuses."));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((l) => l.verdict === "noncompliant" && l.rationale === "The model refuses.")).toBe(true);
    expect(labels.filter((l) => l.rawOutput.startsWith("It answers.")).every((l) => l.verdict === "complied")).toBe(true);

    // The same version again: only the 6 that failed are asked, and now they succeed.
    const fine = fakeChat((_req, user) => labelFor(user));
    const again = await runJob({ judge: { kind: "llm", name: "coconot-llm", version: "llm-1" }, selection: { runId: run.id } }, { services: fine.services });
    expect(fine.calls).toHaveLength(6);
    expect(again.result).toMatchObject({ labelsCreated: 6, alreadyLabelled: 54 });
    expect(await labelCount(t, judge.id)).toBe(60);
  });

  it("gives up when the endpoint fails every call of three batches in a row", async () => {
    const fake = fakeChat(() => new Error("could not reach http://fake.invalid/v1: ECONNREFUSED"));
    const job = await runJob({ judge: { kind: "llm", name: "coconot-llm", version: "down" }, selection: { runId: c.runs[1].id } }, { services: { ...fake.services, batchSize: { judge: 5 } } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/Every call of the last 3 batches failed.*ECONNREFUSED/);
    expect([job.done, job.failed, job.attempts]).toEqual([15, 15, 1]);
  });

  it("refuses to mix two models' labels under one version", async () => {
    const fake = fakeChat((_req, user) => labelFor(user));
    await runJob({ judge: { kind: "llm", name: "coconot-llm", version: "pinned", model: "model-a" }, selection: { runId: c.runs[2].id } }, { services: fake.services });
    const job = await runJob({ judge: { kind: "llm", name: "coconot-llm", version: "pinned", model: "model-b" }, selection: { runId: c.runs[2].id } }, { services: fake.services });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/model-a.*Choose a new version/);
  });
});

describe("Browse selection", () => {
  async function browseIds(filter: BrowseFilter): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listResponses(t.db, { ...filter, sort: "oldest", after });
      ids.push(...page.items.map((i) => i.id));
      if (!page.nextCursor) return ids;
      after = page.nextCursor;
    }
  }
  async function selectionIds(filter: BrowseFilter, batch: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const rows = await fetchSelection(t, { browse: filter }, cursor, batch, "no-judge");
      if (!rows.length) return ids;
      ids.push(...rows.map((r) => r.id));
      cursor = rows[rows.length - 1].id;
    }
  }

  it("selects exactly what Browse lists, a batch at a time", async () => {
    const cat = (await t.db.category.findFirstOrThrow({ where: { subcategories: { some: { prompts: { some: {} } } } }, select: { slug: true } })).slug;
    const judge = await judgeByName("h-run");
    const filters: BrowseFilter[] = [
      {},
      { run: c.runs[1].id },
      { dataset: c.datasets[0].id, expectation: "should_comply" },
      { category: cat, sort: "newest" },
      { judge: judge.id, judgeVerdict: "noncompliant" },
      { q: "Paris" },
      { q: "sorry", run: c.runs[0].id, judge: judge.id, source: "judge", labelled: "1" },
    ];
    for (const f of filters) {
      const expected = await browseIds(f);
      expect(expected.length).toBeGreaterThan(0);
      expect(await selectionIds(f, 7)).toEqual(expected);
    }
  });

  it("judges a Browse selection: exactly its responses get labels", async () => {
    const source = await judgeByName("h-run");
    const filter: BrowseFilter = { judge: source.id, judgeVerdict: "noncompliant", sort: "newest", after: "zzz" };
    const expected = await browseIds({ judge: source.id, judgeVerdict: "noncompliant" });
    const job = await runJob({ judge: { kind: "heuristic", version: "from-browse" }, selection: { browse: filter } }, { services: { batchSize: { judge: 4 } } });
    expect(job.status).toBe("succeeded");
    expect(job.total).toBe(expected.length);
    const labels = await labelsOf((await judgeByName("from-browse")).id);
    expect(labels.map((l) => l.responseId)).toEqual([...expected].sort());
  });
});
