// Adjudication: the items where a judge and the humans, or the humans among themselves, disagree,
// strongest disagreement first; and the final verdict, saved with optimistic concurrency.
import type { DbTx, OpenedDb } from "../db";
import { Prisma, retryTransient } from "../db";
import { createAuditEntry } from "../audit/data";
import { AppError } from "../errors";
import { adjudicateSchema, type VerdictName } from "./schema";

export interface AdjudicationFilter {
  judgeId?: string;
  /** Include items that already have an adjudication (to revise them). */
  all?: boolean;
  runId?: string;
  subcategoryId?: string;
  limit?: number;
  offset?: number;
}

export interface DisagreementRow {
  responseId: string;
  /** Labels considered (human labels + the chosen judge's label). */
  total: number;
  /** Share of labels that are not the most common verdict: 0 = all agree; higher = stronger disagreement. */
  strength: number;
  kinds: number;
  judgeVerdict: VerdictName | null;
  humanVerdicts: VerdictName[];
  adjudicated: VerdictName | null;
  prompt: string;
  subcategory: string;
  run: string;
}

export async function listDisagreements(db: DbTx, f: AdjudicationFilter): Promise<{ rows: DisagreementRow[]; total: number }> {
  const judgeId = f.judgeId ?? "";
  const w: Prisma.Sql[] = [Prisma.sql`agg.kinds > 1`];
  if (!f.all) w.push(Prisma.sql`a.id IS NULL`);
  if (f.runId) w.push(Prisma.sql`r."runId" = ${f.runId}`);
  if (f.subcategoryId) w.push(Prisma.sql`p."subcategoryId" = ${f.subcategoryId}`);
  const base = Prisma.sql`
    WITH labels AS (
      SELECT h."responseId" AS rid, h.verdict::text AS v FROM "HumanLabel" h
      UNION ALL
      SELECT jl."responseId", jl.verdict::text FROM "JudgeLabel" jl
      WHERE jl."judgeId" = ${judgeId} AND jl."responseId" IN (SELECT "responseId" FROM "HumanLabel")
    ), per AS (
      SELECT rid, v, count(*)::int AS n FROM labels GROUP BY rid, v
    ), agg AS (
      SELECT rid, sum(n)::int AS total, max(n)::int AS top, count(*)::int AS kinds FROM per GROUP BY rid
    )`;
  const from = Prisma.sql`
    FROM agg JOIN "Response" r ON r.id = agg.rid JOIN "Prompt" p ON p.id = r."promptId"
    LEFT JOIN "Adjudication" a ON a."responseId" = agg.rid
    WHERE ${Prisma.join(w, " AND ")}`;
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const [rows, [count]] = await Promise.all([
    db.$queryRaw<{ responseId: string; total: number; top: number; kinds: number; adjudicated: string | null; prompt: string; subcategory: string; run: string }[]>(Prisma.sql`
      ${base}
      SELECT agg.rid AS "responseId", agg.total, agg.top, agg.kinds, a.verdict::text AS adjudicated, left(p.text, 300) AS prompt,
             (SELECT s.name FROM "Subcategory" s WHERE s.id = p."subcategoryId") AS subcategory,
             (SELECT m.name || ' · ' || ru.name FROM "Run" ru JOIN "Model" m ON m.id = ru."modelId" WHERE ru.id = r."runId") AS run
      ${from}
      ORDER BY 1 - agg.top::float / agg.total DESC, agg.total DESC, agg.rid
      LIMIT ${limit} OFFSET ${Math.max(f.offset ?? 0, 0)}`),
    db.$queryRaw<{ n: number }[]>(Prisma.sql`${base} SELECT count(*)::int AS n ${from}`),
  ]);
  const ids = rows.map((r) => r.responseId);
  const [humans, judges] = ids.length
    ? await Promise.all([
        db.humanLabel.findMany({ where: { responseId: { in: ids } }, select: { responseId: true, verdict: true }, orderBy: { createdAt: "asc" } }),
        db.judgeLabel.findMany({ where: { responseId: { in: ids }, judgeId }, select: { responseId: true, verdict: true } }),
      ])
    : [[], []];
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      responseId: r.responseId,
      total: Number(r.total),
      kinds: Number(r.kinds),
      strength: 1 - Number(r.top) / Number(r.total),
      judgeVerdict: judges.find((j) => j.responseId === r.responseId)?.verdict ?? null,
      humanVerdicts: humans.filter((h) => h.responseId === r.responseId).map((h) => h.verdict),
      adjudicated: (r.adjudicated as VerdictName | null) ?? null,
      prompt: r.prompt,
      subcategory: r.subcategory,
      run: r.run,
    })),
  };
}

/** Everything an adjudicator sees for one response: every label with its rationale or note. */
export async function getAdjudicationItem(db: DbTx, responseId: string) {
  const r = await db.response.findUnique({
    where: { id: responseId },
    select: {
      id: true,
      text: true,
      run: { select: { name: true, model: { select: { name: true } } } },
      prompt: {
        select: {
          text: true,
          expectation: true,
          dataset: { select: { name: true } },
          subcategory: {
            select: {
              name: true,
              definition: true,
              expectedBehaviour: true,
              category: { select: { name: true } },
              rubricVersions: { orderBy: { version: "desc" }, take: 1, select: { version: true, acceptable: true, unacceptable: true } },
            },
          },
        },
      },
      judgeLabels: { orderBy: { createdAt: "asc" }, select: { verdict: true, rationale: true, judge: { select: { id: true, name: true, version: true, kind: true } } } },
      humanLabels: { orderBy: { createdAt: "asc" }, select: { verdict: true, note: true, updatedAt: true, annotator: { select: { name: true } } } },
      adjudication: { select: { verdict: true, reason: true, note: true, version: true, updatedAt: true, adjudicator: { select: { name: true } } } },
    },
  });
  return r;
}
export type AdjudicationItem = NonNullable<Awaited<ReturnType<typeof getAdjudicationItem>>>;

/**
 * Sets the final verdict of a response. `expectedVersion` is the version the adjudicator saw (null:
 * none existed). If someone saved in between, nothing is written and a 409 carries both decisions, so
 * the second adjudicator can compare and re-apply theirs: nothing is lost.
 */
export async function adjudicate(opened: Pick<OpenedDb, "db">, raw: unknown, actorId: string) {
  const parsed = adjudicateSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const input = parsed.data;
  const conflict = async () => {
    const current = await opened.db.adjudication.findUnique({
      where: { responseId: input.responseId },
      select: { verdict: true, reason: true, note: true, version: true, updatedAt: true, adjudicator: { select: { name: true } } },
    });
    return new AppError(
      "conflict",
      current
        ? `${current.adjudicator.name} saved a final verdict (${current.verdict}) for this item after you opened it; yours was not saved. Compare and save again if you still disagree.`
        : "The final verdict changed after you opened this item; yours was not saved. Reload and save again.",
      { current, yours: { verdict: input.verdict, reason: input.reason, note: input.note } },
    );
  };
  try {
    return await retryTransient(() =>
      opened.db.$transaction(async (tx) => {
        const response = await tx.response.findUnique({ where: { id: input.responseId }, select: { id: true } });
        if (!response) throw new AppError("not_found", `No response ${input.responseId}.`);
        const [existing] = await tx.$queryRaw<{ verdict: string; reason: string; note: string; version: number; adjudicatorId: string }[]>(Prisma.sql`
          SELECT verdict::text, reason::text, note, version, "adjudicatorId" FROM "Adjudication" WHERE "responseId" = ${input.responseId} FOR UPDATE`);
        if ((existing?.version ?? null) !== input.expectedVersion) throw new ConflictSignal();
        const data = { verdict: input.verdict, reason: input.reason, note: input.note, adjudicatorId: actorId };
        const saved = existing
          ? await tx.adjudication.update({ where: { responseId: input.responseId }, data: { ...data, version: existing.version + 1 }, select: { version: true } })
          : await tx.adjudication.create({ data: { ...data, responseId: input.responseId }, select: { version: true } });
        await createAuditEntry(tx, {
          actorId,
          action: existing ? "adjudication.update" : "adjudication.create",
          entityType: "adjudication",
          entityId: input.responseId,
          before: existing ? { verdict: existing.verdict, reason: existing.reason, note: existing.note, version: existing.version } : null,
          after: { ...data, version: saved.version },
        });
        return { version: saved.version };
      }),
    );
  } catch (err) {
    if (err instanceof ConflictSignal || isUniqueViolation(err)) throw await conflict();
    throw err;
  }
}

class ConflictSignal extends Error {}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "P2002" || /23505|Unique constraint/i.test(`${e?.code ?? ""} ${e?.message ?? ""}`);
}
