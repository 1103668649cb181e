// Generation jobs: one response per prompt, as a run; failed or empty answers recorded; resumes without
// duplicates; the endpoint from the admin settings through the real HTTP client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COCONOT_SYSTEM_PROMPT } from "../judges/llm";
import { startFakeLlm } from "../llm/fake-server";
import { LLM_SETTING_KEY } from "../settings/schema";
import { createTestDb, type TestDb } from "../test/db";
import { generateHandler } from "./handlers/generate";
import { enqueue, sqlTx } from "./queue";
import type { GenerateParams } from "./schema";
import { fakeChat, jobRow, seedCorpus, waitFor, waitForStatus, type Corpus } from "./test-fixtures";
import { JobStop, startWorker, type HandlerRegistry, type JobContext, type Worker } from "./worker";

let t: TestDb;
let c: Corpus;
beforeAll(async () => {
  t = await createTestDb();
  c = await seedCorpus(t, "gen", { prompts: 25, runs: 0 });
});
afterAll(async () => t?.close());

const workers: Worker[] = [];
function worker(opts: Parameters<typeof startWorker>[0] = {}): Worker {
  // With the database URL (PostgreSQL), batches go through the worker's own pg clients; the queue tests cover Prisma's.
  const w = startWorker({ opened: t, kinds: ["generate"], pollMs: 10, ...opts, services: { databaseUrl: t.url, ...opts.services } });
  workers.push(w);
  return w;
}
const stopAll = () => Promise.all(workers.splice(0).map((w) => w.stop()));

async function runResponses(modelName: string, runName: string) {
  return t.db.response.findMany({ where: { run: { name: runName, model: { name: modelName } } }, select: { promptId: true, text: true } });
}

const params = (o: Partial<GenerateParams> & Pick<GenerateParams, "modelName" | "runName">): GenerateParams => ({
  datasetId: c.datasets[0].id,
  systemPrompt: null,
  ...o,
});

describe("generation job", () => {
  it("stores one response per prompt as a run with its settings; empty and failed answers are item errors", async () => {
    const prompts = await t.db.prompt.findMany({ where: { datasetId: c.datasets[0].id }, select: { id: true, text: true }, orderBy: { id: "asc" } });
    const empty = prompts[3].text;
    const broken = prompts[17].text;
    const fake = fakeChat((req, user) => (user === empty ? "  \n" : user === broken ? new Error("endpoint answered HTTP 400: bad request") : `Answer to: ${user}`));
    const { id } = await enqueue(t.db, { kind: "generate", params: params({ modelName: "gen-model", runName: "r1", systemPrompt: "coconot", temperature: 0.7, maxTokens: 300 }) });
    worker({ services: { ...fake.services, batchSize: { generate: 6 } } });
    const job = await waitForStatus(t, id, ["succeeded", "failed"]);
    await stopAll();
    expect(job.status).toBe("succeeded");
    expect([job.total, job.done, job.failed]).toEqual([25, 25, 2]);
    const stored = await runResponses("gen-model", "r1");
    expect(stored).toHaveLength(23);
    expect(stored.find((r) => r.promptId === prompts[0].id)?.text).toBe(`Answer to: ${prompts[0].text}`);
    expect(stored.some((r) => r.promptId === prompts[3].id || r.promptId === prompts[17].id)).toBe(false);
    const errors = await t.db.jobItemError.findMany({ where: { jobId: id }, orderBy: { itemKey: "asc" } });
    expect(errors.map((e) => e.itemKey)).toEqual([prompts[3].id, prompts[17].id].sort());
    expect(errors.map((e) => e.message).join(" | ")).toMatch(/empty answer.*\|.*HTTP 400|HTTP 400.*\|.*empty answer/);
    // Each request: CoCoNot's system prompt, the prompt, the chosen settings.
    const req = fake.calls[0];
    expect(req.messages[0]).toEqual({ role: "system", content: COCONOT_SYSTEM_PROMPT });
    expect([req.model, req.temperature, req.maxTokens]).toEqual(["gen-model", 0.7, 300]);
    const run = await t.db.run.findFirstOrThrow({ where: { name: "r1", model: { name: "gen-model" } } });
    expect(run.settings).toMatchObject({ systemPrompt: "coconot", temperature: 0.7, maxTokens: 300, jobId: id });
    expect(job.result).toMatchObject({ runId: run.id, responsesCreated: 23 });

    // The same run again: only the two missing prompts are asked.
    const fine = fakeChat((_req, user) => `Second try: ${user}`);
    const again = await enqueue(t.db, { kind: "generate", params: params({ modelName: "gen-model", runName: "r1" }) });
    worker({ services: fine.services });
    const second = await waitForStatus(t, again.id, ["succeeded", "failed"]);
    await stopAll();
    expect(fine.calls).toHaveLength(2);
    expect(second.result).toMatchObject({ responsesCreated: 2, alreadyAnswered: 23 });
    expect(await runResponses("gen-model", "r1")).toHaveLength(25);
  });

  it("resumes after its worker dies mid-batch without a second response to any prompt", async () => {
    const fake = fakeChat((_req, user) => `Answer: ${user}`);
    const { id } = await enqueue(t.db, { kind: "generate", params: params({ modelName: "gen-model", runName: "crash", datasetId: c.datasets[1].id }) });
    let commits = 0;
    let a!: Worker;
    const dying: HandlerRegistry = {
      generate: (ctx: JobContext) =>
        generateHandler({
          ...ctx,
          commit: async (p, write, errors) => {
            // the 4th batch never commits
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
    a = worker({ handlers: dying, leaseMs: 400, services: { ...fake.services, batchSize: { generate: 5 } } });
    await waitFor("worker A to die", async () => commits >= 4 && a.running().length === 0);
    expect((await jobRow(t, id)).done).toBe(15);
    expect(await runResponses("gen-model", "crash")).toHaveLength(15);

    worker({ services: { ...fake.services, batchSize: { generate: 5 } } });
    const job = await waitForStatus(t, id, ["succeeded", "failed"]);
    await stopAll();
    expect([job.status, job.done, job.failed, job.attempts]).toEqual(["succeeded", 25, 0, 2]);
    const stored = await runResponses("gen-model", "crash");
    const prompts = await t.db.prompt.findMany({ where: { datasetId: c.datasets[1].id }, select: { id: true } });
    expect(stored.map((r) => r.promptId).sort()).toEqual(prompts.map((p) => p.id).sort());
  });

  it("calls the endpoint configured in the admin settings over HTTP", async () => {
    const llm = await startFakeLlm({ model: "fake-served" });
    try {
      await t.db.setting.create({ data: { key: LLM_SETTING_KEY, value: { baseUrl: llm.url, model: "fake-served", concurrency: 2, maxRetries: 0 } } });
      const { id } = await enqueue(t.db, { kind: "generate", params: params({ modelName: "fake-served", runName: "http" }) });
      worker(); // no injected client: the worker reads the settings
      const job = await waitForStatus(t, id, ["succeeded", "failed"]);
      await stopAll();
      expect([job.status, job.done, job.failed]).toEqual(["succeeded", 25, 0]);
      expect(llm.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(25);
      expect(llm.maxInFlight()).toBeLessThanOrEqual(2);
      expect(await runResponses("fake-served", "http")).toHaveLength(25);
    } finally {
      await llm.close();
    }
  });
});
