// Creating and cancelling jobs as the API does: references checked before queueing, audit entries written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createTestDb, type TestDb } from "../test/db";
import { cancelJob, createJob, getJobFormOptions } from "./data";
import { seedCorpus, type Corpus } from "./test-fixtures";

let t: TestDb;
let c: Corpus;
let actor = "";
beforeAll(async () => {
  t = await createTestDb();
  c = await seedCorpus(t, "data", { prompts: 4, runs: 1 });
  actor = (await t.db.user.create({ data: { email: "r@x.org", name: "R", role: "researcher", passwordHash: "!" } })).id;
});
afterAll(async () => t?.close());

async function appError(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("createJob", () => {
  it("queues a judge job and audits who started it", async () => {
    const { id } = await createJob(t.db, { kind: "judge", params: { judge: { kind: "heuristic", version: "x1" }, selection: { runId: c.runs[0].id } } }, actor);
    const job = await t.db.job.findUniqueOrThrow({ where: { id } });
    expect([job.kind, job.status, job.createdById]).toEqual(["judge", "queued", actor]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { entityType: "job", entityId: id } });
    expect([audit.action, audit.actorId]).toEqual(["job.create", actor]);
  });

  it("names the field that is wrong, and refuses a run or dataset that does not exist", async () => {
    const bad = await appError(createJob(t.db, { kind: "judge", params: { judge: { kind: "heuristic", version: "" }, selection: { runId: c.runs[0].id } } }, actor));
    expect([bad.code, bad.message]).toEqual(["bad_request", "params.judge.version: version must not be empty"]);
    const missing = await appError(createJob(t.db, { kind: "judge", params: { judge: { kind: "heuristic", version: "x" }, selection: { datasetId: "nope" } } }, actor));
    expect(missing.message).toBe("There is no dataset nope; choose one from the list.");
    const extra = await appError(createJob(t.db, { kind: "judge", params: { judge: { kind: "heuristic", version: "x" }, selection: { runId: "a", datasetId: "b" } } }, actor));
    expect(extra.code).toBe("bad_request");
  });

  it("needs a configured LLM endpoint for LLM judging and generation", async () => {
    const judge = await appError(createJob(t.db, { kind: "judge", params: { judge: { kind: "llm", version: "v" }, selection: { runId: c.runs[0].id } } }, actor));
    expect(judge.message).toMatch(/No LLM endpoint is configured/);
    const gen = await appError(createJob(t.db, { kind: "generate", params: { datasetId: c.datasets[0].id, modelName: "m", runName: "r" } }, actor));
    expect(gen.message).toMatch(/No LLM endpoint is configured/);
  });

  it("stores a Browse selection without its page cursor and order", async () => {
    const { id } = await createJob(
      t.db,
      { kind: "judge", params: { judge: { kind: "heuristic", version: "b" }, selection: { browse: { run: c.runs[0].id, sort: "newest", after: "abc" } } } },
      actor,
    );
    const job = await t.db.job.findUniqueOrThrow({ where: { id } });
    expect(job.params).toEqual({ judge: { kind: "heuristic", version: "b" }, selection: { browse: { run: c.runs[0].id } } });
  });
});

describe("cancelJob", () => {
  it("cancels a queued job once; a second cancel is a conflict; an unknown job is not found", async () => {
    const { id } = await createJob(t.db, { kind: "judge", params: { judge: { kind: "heuristic", version: "c" }, selection: { runId: c.runs[0].id } } }, actor);
    expect(await cancelJob(t.db, id, actor)).toEqual({ status: "cancelled" });
    expect((await appError(cancelJob(t.db, id, actor))).code).toBe("conflict");
    expect((await appError(cancelJob(t.db, "nope", actor))).code).toBe("not_found");
    expect(await t.db.auditLog.count({ where: { entityId: id, action: "job.cancel" } })).toBe(1);
  });
});

describe("getJobFormOptions", () => {
  it("describes the Browse filter the page was opened with, and reports bad parameters", async () => {
    const o = await getJobFormOptions(t.db, `run=${c.runs[0].id}&expectation=should_comply&bogus=1&after=zz`);
    expect(o.browse?.filter).toEqual({ run: c.runs[0].id, expectation: "should_comply" });
    expect(o.browse?.text).toBe("Browse selection (run data-model-0 · run, expectation should_comply)");
    expect(o.browse?.errors).toEqual(['Unknown filter "bogus" was ignored.']);
    expect(o.runs[0].label).toBe("data-model-0 · run (8 responses)");
    expect(o.llm.configured).toBe(false);
  });
});
