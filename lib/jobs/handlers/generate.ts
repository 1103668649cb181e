// Generation jobs: ask a model for one response per prompt of a dataset and store them as a run.
//
// The run is (model, run name), created on first use; its settings record how the responses were made. Prompts go
// in id order, a batch at a time (the client keeps at most `concurrency` requests in flight); each batch's
// responses and the job's progress commit together. A prompt the run already answered is skipped, and Response
// is unique per (run, prompt), so neither a resumed job nor a second job for the same run writes a prompt twice.
// An empty answer or a failed call (after the client's retries) is recorded as a failed item, not stored.
import { buildGenerationMessages } from "../../judges/llm";
import { newId } from "../../imports/ids";
import { Prisma } from "../../db";
import { generateParamsSchema } from "../schema";
import { JobFailure, type ItemError, type JobContext } from "../worker";

const NOW = `(now() AT TIME ZONE 'UTC')::timestamp(3)`;

/** Prompts per batch (progress is saved this often). */
export const GENERATE_BATCH = 32;
export const GENERATE_FAILED_BATCHES_LIMIT = 3;

interface PromptRow {
  id: string;
  text: string;
  answered: boolean;
}

export async function generateHandler(ctx: JobContext): Promise<unknown> {
  const params = generateParamsSchema.parse(ctx.job.params);
  const { db, sql } = ctx.opened;
  const dataset = await db.dataset.findUnique({ where: { id: params.datasetId }, select: { id: true } });
  if (!dataset) throw new Error(`Dataset ${params.datasetId} does not exist.`);
  if (!ctx.services.llm) throw new Error("This worker has no LLM endpoint configured.");
  const { client, config } = await ctx.services.llm();
  const endpointModel = params.endpointModel ?? params.modelName;

  const settings = {
    endpointModel,
    systemPrompt: params.systemPrompt,
    temperature: params.temperature ?? null,
    maxTokens: params.maxTokens ?? null,
    jobId: ctx.job.id,
  };
  const model = await db.model.upsert({ where: { name: params.modelName }, create: { name: params.modelName }, update: {}, select: { id: true } });
  const run = await db.run.upsert({
    where: { modelId_name: { modelId: model.id, name: params.runName } },
    create: { modelId: model.id, name: params.runName, settings: settings as Prisma.InputJsonValue },
    update: {},
    select: { id: true },
  });
  await ctx.annotate({ runId: run.id });

  if (ctx.job.total === 0 && ctx.job.cursor === null) {
    const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Prompt" WHERE "datasetId" = $1`, [params.datasetId]);
    await ctx.report({ done: ctx.job.done, failed: ctx.job.failed, cursor: null, total: Number(rows[0].n) });
  }

  const batch = ctx.services.batchSize?.generate ?? GENERATE_BATCH;
  let cursor = ctx.job.cursor;
  let done = ctx.job.done;
  let failed = ctx.job.failed;
  let created = 0;
  let skipped = 0;
  let failedBatches = 0;
  for (;;) {
    ctx.checkpoint();
    const { rows } = await sql.query<PromptRow>(
      `SELECT p.id, p.text, EXISTS (SELECT 1 FROM "Response" r WHERE r."runId" = $3 AND r."promptId" = p.id) AS answered
       FROM "Prompt" p WHERE p."datasetId" = $1 AND p.id > $2 ORDER BY p.id LIMIT $4`,
      [params.datasetId, cursor ?? "", run.id, batch],
    );
    if (!rows.length) break;
    const todo = rows.filter((r) => !r.answered);
    const settled = await Promise.allSettled(
      todo.map((p) =>
        client.complete({
          messages: buildGenerationMessages(p.text, { systemPrompt: params.systemPrompt }),
          model: endpointModel,
          temperature: params.temperature,
          maxTokens: params.maxTokens,
          signal: ctx.signal,
        }),
      ),
    );
    ctx.checkpoint(); // a stop aborted the calls: nothing of this batch is kept or counted
    const answers: { id: string; promptId: string; text: string }[] = [];
    const errors: ItemError[] = [];
    settled.forEach((s, i) => {
      const promptId = todo[i].id;
      if (s.status === "rejected") errors.push({ itemKey: promptId, message: (s.reason as Error)?.message ?? String(s.reason) });
      else if (!s.value.content.trim()) errors.push({ itemKey: promptId, message: `${s.value.model || config.model} returned an empty answer` });
      else answers.push({ id: newId(), promptId, text: s.value.content });
    });
    cursor = rows[rows.length - 1].id;
    done += rows.length;
    failed += errors.length;
    skipped += rows.length - todo.length;
    const n = await ctx.commit(
      { done, failed, cursor },
      (tx) =>
        answers.length
          ? tx.execute(
              `INSERT INTO "Response" (id, "runId", "promptId", text, "createdAt")
               SELECT x.id, $2, x."promptId", x.text, ${NOW} FROM json_to_recordset($1::json) AS x(id text, "promptId" text, text text)
               ON CONFLICT ("runId", "promptId") DO NOTHING`,
              [JSON.stringify(answers), run.id],
            )
          : Promise.resolve(0),
      errors,
    );
    created += n ?? 0;
    failedBatches = todo.length > 0 && answers.length === 0 ? failedBatches + 1 : 0;
    if (failedBatches >= GENERATE_FAILED_BATCHES_LIMIT) {
      throw new JobFailure(
        `No prompt of the last ${failedBatches} batches got an answer; the job stops (last error: ${errors.at(-1)?.message}). ` +
          `Responses so far are kept: start the same model and run name again and it continues with the prompts still missing.`,
      );
    }
  }
  return { runId: run.id, model: params.modelName, run: params.runName, responsesCreated: created, alreadyAnswered: skipped, failed, processed: done };
}
