// Results read the exact aggregate tables (JudgeVerdictCount, HumanVerdictCount), maintained by
// triggers in the same transaction as every label: O(cells) per request, never a scan of responses.
import type { DbTx } from "../db";
import type { VerdictCounts } from "../metrics/rates";
import type { SqlConnection } from "../migrations";
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

/**
 * One row per cell with the verdicts and sources pivoted into columns, so the page reads O(cells) rows
 * (tens of thousands at most), through the raw connection: this is the hot query of Results.
 */
/** Rows (cell, verdict, src, n) of the aggregate tables under a label source, as SQL and parameters. */
export function sourceRowsQuery(source: LabelSource, firstParam = 1): [string, unknown[]] {
  const judge = (minusCovered: boolean) => `
    SELECT "runId", "datasetId", "subcategoryId", expectation, verdict, 'judge' AS src,
           ${minusCovered ? "n - covered" : "n"} AS n
    FROM "JudgeVerdictCount" WHERE "judgeId" = $${firstParam}`;
  const human = (onlyAdjudicated: boolean) => `
    SELECT "runId", "datasetId", "subcategoryId", expectation, verdict, source::text AS src, n
    FROM "HumanVerdictCount" ${onlyAdjudicated ? "WHERE source = 'adjudicated'" : ""}`;
  if (source.kind === "judge") return [judge(false), [source.judgeId]];
  if (source.kind === "adjudicated") return [human(true), []];
  return [`${human(false)} UNION ALL ${judge(true)}`, [source.judgeId]];
}

export async function listCountCells(sql: SqlConnection, source: LabelSource): Promise<CountCell[]> {
  const [inner, params] = sourceRowsQuery(source);
  const { rows } = await sql.query<PivotRow>(
    `SELECT "runId", "datasetId", "subcategoryId", expectation::text AS expectation,
            sum(n) FILTER (WHERE verdict = 'complied')::int AS complied,
            sum(n) FILTER (WHERE verdict = 'noncompliant')::int AS noncompliant,
            sum(n) FILTER (WHERE verdict = 'partial')::int AS partial,
            sum(n) FILTER (WHERE verdict = 'unclear')::int AS unclear,
            sum(n) FILTER (WHERE src = 'adjudicated')::int AS adjudicated,
            sum(n) FILTER (WHERE src = 'consensus')::int AS consensus,
            sum(n) FILTER (WHERE src = 'judge')::int AS judge
     FROM (${inner}) x
     GROUP BY 1, 2, 3, 4
     HAVING sum(n) > 0`,
    params,
  );
  const z = (v: number | null) => Number(v ?? 0);
  return rows.map((r) => ({
    runId: r.runId,
    datasetId: r.datasetId,
    subcategoryId: r.subcategoryId,
    expectation: r.expectation,
    counts: { complied: z(r.complied), noncompliant: z(r.noncompliant), partial: z(r.partial), unclear: z(r.unclear) },
    sources: { adjudicated: z(r.adjudicated), consensus: z(r.consensus), judge: z(r.judge) },
  }));
}

interface PivotRow {
  runId: string;
  datasetId: string;
  subcategoryId: string;
  expectation: Expectation;
  complied: number | null;
  noncompliant: number | null;
  partial: number | null;
  unclear: number | null;
  adjudicated: number | null;
  consensus: number | null;
  judge: number | null;
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
