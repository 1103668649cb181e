// Judges (one row per judge version) and their labels.
import type { DbTx } from "../db";
import { Prisma } from "../db";
import type { JudgeKind, Verdict } from "../generated/prisma/enums";

export async function ensureJudge(
  db: DbTx,
  j: { name: string; kind: JudgeKind; version: string; config?: Record<string, unknown> },
): Promise<{ id: string }> {
  return db.judge.upsert({
    where: { name_version: { name: j.name, version: j.version } },
    create: { name: j.name, kind: j.kind, version: j.version, config: (j.config ?? {}) as Prisma.InputJsonValue },
    update: {},
    select: { id: true },
  });
}

export interface JudgeLabelInput {
  responseId: string;
  verdict: Verdict;
  rationale?: string;
  rawOutput?: string;
  rubricVersionId?: string | null;
}

/** Stores labels of one judge version; a response this version already labelled keeps its label. */
export async function addJudgeLabels(db: DbTx, judgeId: string, labels: JudgeLabelInput[]): Promise<number> {
  let created = 0;
  for (let i = 0; i < labels.length; i += 1000) {
    const res = await db.judgeLabel.createMany({
      data: labels.slice(i, i + 1000).map((l) => ({
        responseId: l.responseId,
        judgeId,
        verdict: l.verdict,
        rationale: l.rationale ?? "",
        rawOutput: l.rawOutput ?? "",
        rubricVersionId: l.rubricVersionId ?? null,
      })),
      skipDuplicates: true,
    });
    created += res.count;
  }
  return created;
}

/**
 * The judge a page compares with human labels when none is asked for (Adjudicate, Agreement): the non-reference
 * judge version that labelled the most human-labelled responses, so the comparison has the largest sample; the
 * newest such version on a tie, or when nobody has labelled anything yet.
 */
export async function defaultComparisonJudgeId(db: DbTx): Promise<string | null> {
  const [row] = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
    SELECT j.id FROM "Judge" j
    LEFT JOIN (
      SELECT jl."judgeId", count(*) AS n FROM "JudgeLabel" jl
      WHERE jl."responseId" IN (SELECT "responseId" FROM "HumanLabel")
      GROUP BY jl."judgeId"
    ) h ON h."judgeId" = j.id
    WHERE j.kind <> 'reference' AND EXISTS (SELECT 1 FROM "JudgeLabel" l WHERE l."judgeId" = j.id)
    ORDER BY coalesce(h.n, 0) DESC, j."createdAt" DESC, j.id DESC
    LIMIT 1`);
  return row?.id ?? null;
}
