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

/** Everything the response page shows. Raw judge output is included: this page is for researchers. */
export async function getResponseDetail(db: DbTx, id: string) {
  const r = await db.response.findUnique({
    where: { id },
    select: {
      id: true,
      text: true,
      createdAt: true,
      run: { select: { id: true, name: true, settings: true, model: { select: { name: true } } } },
      prompt: {
        select: {
          externalId: true,
          text: true,
          expectation: true,
          dataset: { select: { id: true, name: true } },
          subcategory: {
            select: {
              id: true,
              name: true,
              expectedBehaviour: true,
              category: { select: { name: true, slug: true } },
              rubricVersions: { orderBy: { version: "desc" }, take: 1, select: { version: true, acceptable: true, unacceptable: true } },
            },
          },
        },
      },
      judgeLabels: {
        orderBy: { createdAt: "asc" },
        select: { id: true, verdict: true, rationale: true, rawOutput: true, createdAt: true, judge: { select: { name: true, version: true, kind: true } } },
      },
      humanLabels: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          verdict: true,
          note: true,
          createdAt: true,
          updatedAt: true,
          annotator: { select: { name: true } },
          revisions: { orderBy: { changedAt: "asc" }, select: { verdict: true, note: true, changedAt: true, changedBy: { select: { name: true } } } },
        },
      },
      adjudication: { select: { verdict: true, reason: true, note: true, updatedAt: true, version: true, adjudicator: { select: { name: true } } } },
    },
  });
  if (!r) return null;
  const audit = await db.auditLog.findMany({
    where: { OR: [{ entityType: "response", entityId: id }, { entityType: "adjudication", entityId: id }] },
    orderBy: { createdAt: "asc" },
    select: { id: true, actorId: true, action: true, before: true, after: true, createdAt: true },
  });
  const actorIds = [...new Set(audit.map((a) => a.actorId).filter((x): x is string => x !== null))];
  const actors = actorIds.length ? await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } }) : [];
  const names = new Map(actors.map((a) => [a.id, a.name]));
  return { ...r, audit: audit.map((a) => ({ ...a, actor: a.actorId ? (names.get(a.actorId) ?? "a deleted user") : "system" })) };
}
