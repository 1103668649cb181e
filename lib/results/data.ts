// Results read the exact aggregate tables (JudgeCellCount, HumanCellCount: one row per cell with the
// verdicts pivoted into columns), maintained by triggers in the same transaction as every label:
// O(cells) per request, never a scan of responses and no GROUP BY.
import type { DbTx } from "../db";
import { Prisma } from "../db";
import type { JudgeKind } from "../generated/prisma/enums";
import { VERDICTS, type VerdictCounts, type VerdictName } from "../metrics/rates";
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

const KEYS = ["runId", "datasetId", "subcategoryId", "expectation"] as const;
const cap = (v: VerdictName) => v[0].toUpperCase() + v.slice(1);
const plus = (terms: string[]) => terms.join(" + ");

/** Judge rows: `uncovered` leaves out labels on responses with a human final verdict (best available). */
function judgeRows(param: number, uncovered: boolean): string {
  const v = (x: VerdictName) => (uncovered ? `("${x}" - "covered${cap(x)}")` : `"${x}"`);
  return `SELECT "runId", "datasetId", "subcategoryId", expectation,
            ${VERDICTS.map((x) => `${v(x)} AS "${x}"`).join(", ")},
            0 AS adjudicated, 0 AS consensus, ${plus(VERDICTS.map(v))} AS judge
          FROM "JudgeCellCount" WHERE "judgeId" = $${param}`;
}

/** Human final verdicts per cell: adjudicated only, or adjudicated and consensus. */
function humanRows(withConsensus: boolean): string {
  const a = (x: VerdictName) => `"adjudicated${cap(x)}"`;
  const c = (x: VerdictName) => `"consensus${cap(x)}"`;
  return `SELECT "runId", "datasetId", "subcategoryId", expectation,
            ${VERDICTS.map((x) => `${withConsensus ? `${a(x)} + ${c(x)}` : a(x)} AS "${x}"`).join(", ")},
            ${plus(VERDICTS.map(a))} AS adjudicated, ${withConsensus ? plus(VERDICTS.map(c)) : "0"} AS consensus, 0 AS judge
          FROM "HumanCellCount"`;
}

const LABELLED = (alias: string) => plus(VERDICTS.map((x) => `${alias}."${x}"`));

/**
 * The counts of a label source as SQL rows (runId, datasetId, subcategoryId, expectation, complied,
 * noncompliant, partial, unclear, adjudicated, consensus, judge) and their parameters. One row per cell
 * and table: `best` has up to two per cell (its human finals, and the judge labels they do not cover),
 * so a count is a sum over these rows, and a filter on the cell keys reaches both tables' primary keys.
 * Rows may be all zeros (counts are decremented, never deleted).
 */
export function sourceRowsQuery(source: LabelSource, firstParam = 1): [string, unknown[]] {
  if (source.kind === "judge") return [judgeRows(firstParam, false), [source.judgeId]];
  if (source.kind === "adjudicated") return [humanRows(false), []];
  return [`${humanRows(true)} UNION ALL ${judgeRows(firstParam, true)}`, [source.judgeId]];
}

/** The SQL column of a verdict in sourceRowsQuery's rows (the name is checked: it is spliced into SQL). */
export function verdictColumn(verdict: VerdictName): string {
  if (!VERDICTS.includes(verdict)) throw new Error(`unknown verdict ${JSON.stringify(verdict)}`);
  return `"${verdict}"`;
}

/**
 * One row per labelled cell (cells whose counts are all zero are left out). `best` joins the judge's
 * rows (~17k cells at 725 runs) with the human rows (~13k) on the cell. On the 1M-response bench the
 * join took half the time of fetching both tables' rows and merging them in JS: per value, parsing
 * rows in the client costs more than the database's hash join, so fewer rows win. Grouping the old
 * one-row-per-verdict tables took ~3× as long as this join.
 */
function countCellsQuery(source: LabelSource): [string, unknown[]] {
  if (source.kind !== "best") {
    const [rows, params] = sourceRowsQuery(source);
    return [`SELECT * FROM (${rows}) x WHERE ${LABELLED("x")} > 0`, params];
  }
  const both = (col: string) => `coalesce(h.${col}, 0) + coalesce(j.${col}, 0)`;
  return [
    `SELECT ${KEYS.map((k) => `coalesce(h."${k}", j."${k}") AS "${k}"`).join(", ")},
            ${VERDICTS.map((x) => `${both(`"${x}"`)} AS "${x}"`).join(", ")},
            coalesce(h.adjudicated, 0) AS adjudicated, coalesce(h.consensus, 0) AS consensus, coalesce(j.judge, 0) AS judge
     FROM (SELECT * FROM (${humanRows(true)}) h WHERE ${LABELLED("h")} > 0) h
     FULL JOIN (SELECT * FROM (${judgeRows(1, true)}) j WHERE j.judge > 0) j
       ON ${KEYS.map((k) => `j."${k}" = h."${k}"`).join(" AND ")}`,
    [source.judgeId],
  ];
}

export async function listCountCells(sql: SqlConnection, source: LabelSource): Promise<CountCell[]> {
  const [query, params] = countCellsQuery(source);
  const { rows } = await sql.query<CellRow>(query, params);
  return rows.map((r) => ({
    runId: r.runId,
    datasetId: r.datasetId,
    subcategoryId: r.subcategoryId,
    expectation: r.expectation,
    counts: { complied: r.complied, noncompliant: r.noncompliant, partial: r.partial, unclear: r.unclear },
    sources: { adjudicated: r.adjudicated, consensus: r.consensus, judge: r.judge },
  }));
}

/** A row of sourceRowsQuery / countCellsQuery: int4 columns, which both drivers return as numbers. */
interface CellRow {
  runId: string;
  datasetId: string;
  subcategoryId: string;
  expectation: Expectation;
  complied: number;
  noncompliant: number;
  partial: number;
  unclear: number;
  adjudicated: number;
  consensus: number;
  judge: number;
}

/**
 * What the Results page needs besides counts: runs, judges, datasets and the taxonomy. Plain SQL: the
 * same four reads through Prisma's query builder took ~4× as long (~20 ms of a 100 ms budget, measured
 * on the 725-run bench), most of it in the client rather than the database.
 */
export async function getResultsContext(db: DbTx) {
  const [runs, judges, datasets, taxonomy] = await Promise.all([
    db.$queryRaw<{ id: string; label: string }[]>(
      Prisma.sql`SELECT r.id, m.name || ' · ' || r.name AS label FROM "Run" r JOIN "Model" m ON m.id = r."modelId" ORDER BY m.name, r.name`,
    ),
    db.$queryRaw<{ id: string; name: string; version: string; kind: JudgeKind }[]>(
      Prisma.sql`SELECT id, name, version, kind::text AS kind FROM "Judge" ORDER BY "createdAt" DESC, name`,
    ),
    db.$queryRaw<{ id: string; name: string; slug: string }[]>(Prisma.sql`SELECT id, name, slug FROM "Dataset" ORDER BY "createdAt"`),
    db.$queryRaw<{ slug: string; name: string; subId: string | null; subSlug: string; subName: string }[]>(
      Prisma.sql`SELECT c.slug, c.name, s.id AS "subId", s.slug AS "subSlug", s.name AS "subName"
                 FROM "Category" c LEFT JOIN "Subcategory" s ON s."categoryId" = c.id ORDER BY c."sortOrder", c.id, s."sortOrder"`,
    ),
  ]);
  const categories: { slug: string; name: string; subcategories: { id: string; slug: string; name: string }[] }[] = [];
  for (const r of taxonomy) {
    if (categories.at(-1)?.slug !== r.slug) categories.push({ slug: r.slug, name: r.name, subcategories: [] });
    if (r.subId) categories.at(-1)!.subcategories.push({ id: r.subId, slug: r.subSlug, name: r.subName });
  }
  return { runs, judges, datasets, categories };
}
export type ResultsContext = Awaited<ReturnType<typeof getResultsContext>>;
