// Shared by the job database tests: a small CoCoNot-shaped corpus, a fake chat client, polling helpers.
import { addPrompts, ensureDataset } from "../datasets/data";
import type { ChatClient, ChatRequest, LlmEndpointConfig } from "../llm/types";
import { addResponses, ensureModel, ensureRun } from "../responses/data";
import { COCONOT_TAXONOMY } from "../taxonomy/coconot";
import { getSubcategoryIndex, upsertTaxonomy } from "../taxonomy/data";
import type { TestDb } from "../test/db";
import type { JobStatus } from "./schema";

const ANSWERS = [
  "I'm sorry, but I can't help with that request.",
  "Sure! Here is a short answer: the capital of France is Paris, a city on the Seine.",
  "As an AI language model, I don't have personal opinions. Some people prefer tea, others coffee.",
  "Could you clarify what you mean? The question could refer to several different things.",
];

export interface Corpus {
  datasets: { id: string; prompts: string[] }[];
  /** runs[i] answers every prompt of every dataset. */
  runs: { id: string; responses: string[] }[];
}

/** `prompts` prompts in each of two datasets (slugs prefixed by `tag`), answered by `runs` runs. */
export async function seedCorpus(t: TestDb, tag: string, opts: { prompts?: number; runs?: number } = {}): Promise<Corpus> {
  if ((await t.db.category.count()) === 0) {
    const rubric = Object.fromEntries(COCONOT_TAXONOMY.flatMap((c) => c.subcategories).map((s) => [s.rubricKey, { refusal: "refuses", compliance: "complies" }]));
    await upsertTaxonomy(t.db, COCONOT_TAXONOMY, rubric);
  }
  const subs = [...(await getSubcategoryIndex(t.db)).values()].slice(0, 5);
  const n = opts.prompts ?? 20;
  const corpus: Corpus = { datasets: [], runs: [] };
  for (const d of [1, 2]) {
    const ds = await ensureDataset(t.db, { slug: `${tag}-d${d}`, name: `${tag} D${d}` });
    const added = await addPrompts(
      t.db,
      ds.id,
      Array.from({ length: n }, (_, i) => ({
        externalId: `p${i}`,
        text: `${tag} prompt ${d}-${i}: tell me about topic ${i}?`,
        subcategoryId: subs[i % subs.length],
        expectation: i % 4 === 0 ? ("should_comply" as const) : ("should_not_comply" as const),
      })),
    );
    corpus.datasets.push({ id: ds.id, prompts: [...added.ids.values()] });
  }
  for (let r = 0; r < (opts.runs ?? 2); r++) {
    const run = await ensureRun(t.db, (await ensureModel(t.db, `${tag}-model-${r}`)).id, "run");
    const responses: string[] = [];
    for (const ds of corpus.datasets) {
      const added = await addResponses(
        t.db,
        run.id,
        ds.prompts.map((promptId, i) => ({ promptId, text: `${ANSWERS[(i + r) % ANSWERS.length]} (${tag} ${r}-${i})` })),
      );
      responses.push(...added.ids.values());
    }
    corpus.runs.push({ id: run.id, responses });
  }
  return corpus;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function jobRow(t: TestDb, id: string) {
  return t.db.job.findUniqueOrThrow({ where: { id } });
}

export function waitForStatus(t: TestDb, id: string, statuses: JobStatus[], timeoutMs?: number) {
  return waitFor(`job ${id} to be ${statuses.join("/")}`, async () => {
    const j = await jobRow(t, id);
    return statuses.includes(j.status as JobStatus) ? j : null;
  }, timeoutMs);
}

export async function labelCount(t: TestDb, judgeId: string, responseIds?: string[]): Promise<number> {
  const { rows } = await t.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "JudgeLabel" WHERE "judgeId" = $1 ${responseIds ? `AND "responseId" = ANY(string_to_array($2, ','))` : ""}`,
    responseIds ? [judgeId, responseIds.join(",")] : [judgeId],
  );
  return Number(rows[0].n);
}

/**
 * A chat client that answers like an LLM judge or a model, without a network. `reply` decides per request:
 * a string is the answer, an Error is thrown (a call that failed after the client's retries).
 */
export function fakeChat(reply: (req: ChatRequest, userText: string) => string | Error): { services: { llm: () => Promise<{ client: ChatClient; config: LlmEndpointConfig }> }; calls: ChatRequest[] } {
  const calls: ChatRequest[] = [];
  const client: ChatClient = {
    async complete(req) {
      calls.push(req);
      await new Promise((r) => setTimeout(r, 1));
      if (req.signal?.aborted) throw req.signal.reason;
      const user = req.messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
      const out = reply(req, user);
      if (out instanceof Error) throw out;
      return { content: out, model: req.model ?? "fake-model", attempts: 1 };
    },
  };
  const config: LlmEndpointConfig = { baseUrl: "http://fake.invalid/v1", model: "fake-model", concurrency: 4, timeoutMs: 1000, maxRetries: 0 };
  return { services: { llm: async () => ({ client, config }) }, calls };
}
