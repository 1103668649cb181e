// An LLM judge job against a real HTTP endpoint that misbehaves inside a batch: some calls hang until the client's
// timeout, some answers are garbage text, some bodies are not JSON. What the job stores: garbage becomes an
// `unclear` label that keeps the raw output; a call that never answered or answered unreadably is a failed item
// with no label; no label is partial or doubled; and running the version again labels exactly the failed ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatClient } from "../llm/client";
import { smartHandler, startFakeLlm, type FakeLlm, type FakeLlmHandler } from "../llm/fake-server";
import type { LlmEndpointConfig } from "../llm/types";
import { createTestDb, type TestDb } from "../test/db";
import { enqueue } from "./queue";
import type { JudgeParams } from "./schema";
import { seedCorpus, waitForStatus } from "./test-fixtures";
import { startWorker } from "./worker";

const GARBAGE = "}{ lorem ipsum 12345 <lab el> — as a language model I";
let t: TestDb;
let fake: FakeLlm;
let responses: { id: string; i: number }[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await seedCorpus(t, "llmf", { prompts: 14, runs: 1 }); // 28 responses, "… (llmf 0-<i>)" with i = 0..13 per dataset
  responses = (await t.db.response.findMany({ select: { id: true, text: true } })).map((r) => ({ id: r.id, i: Number(/\(llmf 0-(\d+)\)/.exec(r.text)![1]) }));
  fake = await startFakeLlm();
});
afterAll(async () => {
  await fake?.close();
  await t?.close();
});

// By the response's number: 3 and 10 hang, 6 and 13 answer a body that is not JSON, 5 and 12 answer garbage text.
const hangs = (i: number) => i % 7 === 3;
const notJson = (i: number) => i % 7 === 6;
const garbage = (i: number) => i % 7 === 5;
const misbehaving: FakeLlmHandler = (req, server) => {
  const user = req.messages.at(-1)?.content ?? "";
  const i = Number(/\(llmf 0-(\d+)\)/.exec(user)?.[1] ?? -1);
  if (hangs(i)) return { kind: "hang" };
  if (notJson(i)) return { kind: "garbage", body: "<html>502 Bad Gateway</html>", status: 200 };
  if (garbage(i)) return { kind: "text", content: GARBAGE };
  return smartHandler(req, server);
};

function services() {
  const config: LlmEndpointConfig = { baseUrl: fake.url, model: "judge", concurrency: 4, timeoutMs: 300, maxRetries: 1 };
  const quiet = { debug() {}, info() {}, warn() {} } as never;
  const client = createChatClient(config, { sleep: async () => {}, log: quiet });
  return { llm: async () => ({ client, config }), batchSize: { judge: 8 }, databaseUrl: t.url };
}

async function runJob(params: JudgeParams) {
  const { id } = await enqueue(t.db, { kind: "judge", params });
  const w = startWorker({ opened: t, kinds: ["judge"], pollMs: 10, services: services() });
  try {
    return await waitForStatus(t, id, ["succeeded", "failed", "cancelled"], 60_000);
  } finally {
    await w.stop();
  }
}

describe("LLM judge job against a misbehaving endpoint", () => {
  it("stores garbage as unclear with its raw output, timeouts and unreadable bodies as failed items, and fills exactly those on a re-run", async () => {
    fake.setHandler(misbehaving);
    const params: JudgeParams = { judge: { kind: "llm", name: "llm-faults", version: "v1" }, selection: { browse: {} } };
    const failing = responses.filter((r) => hangs(r.i) || notJson(r.i));
    const job = await runJob(params);
    expect([job.status, job.done, job.failed]).toEqual(["succeeded", 28, failing.length]);

    const errors = await t.db.jobItemError.findMany({ where: { jobId: job.id }, select: { itemKey: true, message: true } });
    expect(errors.map((e) => e.itemKey).sort()).toEqual(failing.map((r) => r.id).sort());
    const byId = new Map(errors.map((e) => [e.itemKey, e.message]));
    for (const r of failing) expect(byId.get(r.id)).toMatch(hangs(r.i) ? /did not answer within 300 ms/ : /not JSON/);

    const judge = await t.db.judge.findUniqueOrThrow({ where: { name_version: { name: "llm-faults", version: "v1" } } });
    const labels = await t.db.judgeLabel.findMany({ where: { judgeId: judge.id }, select: { responseId: true, verdict: true, rationale: true, rawOutput: true } });
    expect(labels).toHaveLength(28 - failing.length);
    expect(new Set(labels.map((l) => l.responseId)).size).toBe(labels.length);
    expect(labels.some((l) => failing.some((r) => r.id === l.responseId))).toBe(false);
    const garbled = responses.filter((r) => garbage(r.i)).map((r) => labels.find((l) => l.responseId === r.id)!);
    expect(garbled).toHaveLength(4);
    for (const l of garbled) {
      expect(l).toMatchObject({ verdict: "unclear", rawOutput: GARBAGE });
      expect(l.rationale).toMatch(/^unclear: the judge.s answer has no .* label/);
    }
    expect(labels.filter((l) => !garbled.includes(l)).every((l) => l.verdict !== "unclear" && l.rawOutput.includes("<label>"))).toBe(true);

    // The endpoint recovers: the same version asks only about the failed responses and labels each once.
    fake.setHandler(smartHandler);
    const asked = fake.requests.length;
    const again = await runJob(params);
    expect(again.status).toBe("succeeded");
    expect(fake.requests.length - asked).toBe(failing.length);
    expect(again.result).toMatchObject({ labelsCreated: failing.length, alreadyLabelled: 28 - failing.length, failed: 0 });
    const { rows } = await t.sql.query<{ labels: number; distinct: number }>(
      `SELECT count(*)::int AS labels, count(DISTINCT "responseId")::int AS distinct FROM "JudgeLabel" WHERE "judgeId" = $1`,
      [judge.id],
    );
    expect(rows[0]).toEqual({ labels: 28, distinct: 28 });
  });
});
