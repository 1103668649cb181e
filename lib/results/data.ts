// Results read the exact aggregate tables (JudgeVerdictCount, HumanVerdictCount), maintained by
// triggers in the same transaction as every label: O(cells) per request, never a scan of responses.
import type { DbTx } from "../db";
import { Prisma } from "../db";
import { emptyCounts, type VerdictCounts, type VerdictName } from "../metrics/rates";
import type { LabelSource } from "./schema";

export type Expectation = "should_not_comply" | "should_comply";

/** Counts of one cell (run × dataset × subcategory × expectation) under a label source. */
export interface CountCell {
  runId: string;
  datasetId: string;
  subcategoryId: string;
  expectation: Expectation;
  counts: VerdictCounts;
  /** How many of the labels came from each source. */
  sources: { adjudicated: number; consensus: number; judge: number };
}

type Row = { runId: string; datasetId: string; subcategoryId: string; expectation: Expectation; src: "adjudicated" | "consensus" | "judge"; verdict: VerdictName; n: number };

export async function listCountCells(db: DbTx, source: LabelSource): Promise<CountCell[]> {
  const judgeRows = (judgeId: string, minusCovered: boolean) => Prisma.sql`
    SELECT "runId", "datasetId", "subcategoryId", expectation::text AS expectation, 'judge' AS src, verdict::text AS verdict,
           ${minusCovered ? Prisma.sql`(n - covered)` : Prisma.sql`n`}::int AS n
    FROM "JudgeVerdictCount" WHERE "judgeId" = ${judgeId}`;
  const humanRows = (onlyAdjudicated: boolean) => Prisma.sql`
    SELECT "runId", "datasetId", "subcategoryId", expectation::text AS expectation, source::text AS src, verdict::text AS verdict, n
    FROM "HumanVerdictCount" ${onlyAdjudicated ? Prisma.sql`WHERE source = 'adjudicated'` : Prisma.empty}`;
  const query =
    source.kind === "judge"
      ? judgeRows(source.judgeId, false)
      : source.kind === "adjudicated"
        ? humanRows(true)
        : Prisma.sql`${humanRows(false)} UNION ALL ${judgeRows(source.judgeId, true)}`;
  const rows = await db.$queryRaw<Row[]>(query);
  const cells = new Map<string, CountCell>();
  for (const r of rows) {
    const n = Number(r.n);
    if (n <= 0) continue;
    const key = `${r.runId}|${r.datasetId}|${r.subcategoryId}|${r.expectation}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { runId: r.runId, datasetId: r.datasetId, subcategoryId: r.subcategoryId, expectation: r.expectation, counts: emptyCounts(), sources: { adjudicated: 0, consensus: 0, judge: 0 } };
      cells.set(key, cell);
    }
    cell.counts[r.verdict] += n;
    cell.sources[r.src] += n;
  }
  return [...cells.values()];
}

/** What the Results page needs besides counts: runs, judges, datasets and the taxonomy. */
export async function getResultsContext(db: DbTx) {
  const [runs, judges, datasets, categories] = await Promise.all([
    db.run.findMany({ select: { id: true, name: true, model: { select: { name: true } } }, orderBy: [{ model: { name: "asc" } }, { name: "asc" }] }),
    db.judge.findMany({ select: { id: true, name: true, version: true, kind: true }, orderBy: [{ createdAt: "desc" }, { name: "asc" }] }),
    db.dataset.findMany({ select: { id: true, name: true, slug: true }, orderBy: { createdAt: "asc" } }),
    db.category.findMany({
      orderBy: { sortOrder: "asc" },
      select: { slug: true, name: true, subcategories: { orderBy: { sortOrder: "asc" }, select: { id: true, slug: true, name: true } } },
    }),
  ]);
  return {
    runs: runs.map((r) => ({ id: r.id, label: `${r.model.name} · ${r.name}` })),
    judges,
    datasets,
    categories,
  };
}
export type ResultsContext = Awaited<ReturnType<typeof getResultsContext>>;
