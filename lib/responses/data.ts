// Models, runs and responses.
import type { DbTx } from "../db";
import { Prisma } from "../db";

export async function ensureModel(db: DbTx, name: string, description = ""): Promise<{ id: string }> {
  return db.model.upsert({ where: { name }, create: { name, description }, update: {}, select: { id: true } });
}

export async function ensureRun(
  db: DbTx,
  modelId: string,
  name: string,
  settings: Record<string, unknown> = {},
): Promise<{ id: string }> {
  return db.run.upsert({
    where: { modelId_name: { modelId, name } },
    create: { modelId, name, settings: settings as Prisma.InputJsonValue },
    update: {},
    select: { id: true },
  });
}

export interface ResponseInput {
  promptId: string;
  text: string;
}

const CHUNK = 1000;

/** Adds responses to a run; a prompt that already has a response in this run keeps it. Returns ids by prompt. */
export async function addResponses(
  db: DbTx,
  runId: string,
  responses: ResponseInput[],
): Promise<{ created: number; existing: number; ids: Map<string, string> }> {
  let created = 0;
  const ids = new Map<string, string>();
  for (let i = 0; i < responses.length; i += CHUNK) {
    const chunk = responses.slice(i, i + CHUNK);
    const res = await db.response.createMany({ data: chunk.map((r) => ({ ...r, runId })), skipDuplicates: true });
    created += res.count;
    const rows = await db.response.findMany({
      where: { runId, promptId: { in: chunk.map((r) => r.promptId) } },
      select: { id: true, promptId: true },
    });
    for (const r of rows) ids.set(r.promptId, r.id);
  }
  return { created, existing: responses.length - created, ids };
}
