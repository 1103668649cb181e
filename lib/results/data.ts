// Results read the exact aggregate tables (JudgeCellCount, HumanCellCount: one row per cell with the
// verdicts pivoted into columns), maintained by triggers in the same transaction as every label:
// O(cells) per request, never a scan of responses.
import type { JudgeKind } from "../generated/prisma/enums";
import { VERDICTS, type VerdictName } from "../metrics/rates";
import type { SqlConnection } from "../migrations";
import { cellsOf, decodeGroup, type CellCounts, type CountCell, type CountGroupText } from "./cells";
import type { LabelSource } from "./schema";

export type { CellCounts, CountCell, CountGroup, Expectation } from "./cells";

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
 * The counts of a label source as one statement (so the human and judge parts come from one snapshot: an
 * adjudication committed between two reads would be counted twice) returning one row per table and column
 * of cells (dataset, subcategory, expectation): the column's runs, comma-separated (ids never hold a comma:
 * cuids), and their counts as one int array in the same order. array_agg("runId") and array_agg(ARRAY[…])
 * in one GROUP BY see the input rows in the same order (each input row passes through every aggregate of
 * the node at once); decodeGroup checks that the lengths agree.
 * Why this shape (1M-response bench: 725 runs, ~16.6k judge and ~12.6k human cells; measured side by side
 * on a loaded 2-core machine): 25–27 ms per request, ~18 ms of it in the database, against 45–48 ms for the
 * previous one row per cell (the two tables FULL JOINed on the four text keys: ~25 ms in the database, then
 * ~20 ms in the driver turning 16.6k rows of 11 fields into objects). Rows grouped per run with the counts
 * concatenated as text cost more in the database (an int-to-text concatenation per cell), and sorting the
 * aggregates' input (ORDER BY "runId") doubled the database time.
 */
function cellCountsQuery(source: LabelSource, datasetId?: string): [string, unknown[]] {
  const params: unknown[] = [];
  const param = (v: unknown) => `$${params.push(v)}`;
  const dataset = datasetId ? ` AND "datasetId" = ${param(datasetId)}` : "";
  const a = (x: VerdictName) => `"adjudicated${cap(x)}"`;
  const c = (x: VerdictName) => `"consensus${cap(x)}"`;
  const keys = `"datasetId", "subcategoryId", expectation::text AS expectation, array_to_string(array_agg("runId"), ',') AS runs`;
  const group = `GROUP BY "datasetId", "subcategoryId", expectation`;
  const parts: string[] = [];
  if (source.kind !== "judge") {
    const consensus = source.kind === "best";
    const verdict = (x: VerdictName) => (consensus ? `${a(x)} + ${c(x)}` : a(x));
    const labelled = plus(VERDICTS.flatMap((x) => (consensus ? [a(x), c(x)] : [a(x)])));
    parts.push(`SELECT 'h' AS part, ${keys},
        array_agg(ARRAY[${VERDICTS.map(verdict).join(", ")}, ${plus(VERDICTS.map(a))}, ${consensus ? plus(VERDICTS.map(c)) : "0"}])::text AS counts
      FROM "HumanCellCount" WHERE ${labelled} > 0${dataset} ${group}`);
  }
  if (source.kind !== "adjudicated") {
    const judge = param(source.judgeId);
    const verdict = (x: VerdictName) => (source.kind === "best" ? `"${x}" - "covered${cap(x)}"` : `"${x}"`);
    parts.push(`SELECT 'j' AS part, ${keys}, array_agg(ARRAY[${VERDICTS.map(verdict).join(", ")}])::text AS counts
      FROM "JudgeCellCount" WHERE "judgeId" = ${judge} AND ${plus(VERDICTS.map(verdict))} > 0${dataset} ${group}`);
  }
  return [parts.join("\nUNION ALL\n"), params];
}

/** Every labelled cell under the label source (of one dataset, if given), grouped by column. O(cells). */
export async function fetchCellCounts(sql: SqlConnection, source: LabelSource, opts: { datasetId?: string } = {}): Promise<CellCounts> {
  const [query, params] = cellCountsQuery(source, opts.datasetId);
  const { rows } = await sql.query<CountGroupText>(query, params);
  const runIds: string[] = [];
  const runIndex = new Map<string, number>();
  return { runIds, groups: rows.map((r) => decodeGroup(r, runIds, runIndex)) };
}

/** One CountCell per labelled cell (cells whose counts are all zero are left out), in no particular order. */
export async function listCountCells(sql: SqlConnection, source: LabelSource, opts: { datasetId?: string } = {}): Promise<CountCell[]> {
  return cellsOf(await fetchCellCounts(sql, source, opts));
}
export interface ResultsContext {
  runs: { id: string; label: string }[];
  judges: { id: string; name: string; version: string; kind: JudgeKind }[];
  datasets: { id: string; name: string; slug: string }[];
  categories: { slug: string; name: string; subcategories: { id: string; slug: string; name: string }[] }[];
}

/**
 * What the Results page needs besides counts: runs, judges, datasets and the taxonomy, in display order, as
 * one JSON document from one statement (one round trip; JSON.parse is cheaper than the driver's per-field
 * decoding of ~750 rows). Through Prisma's query builder the same four reads took ~4× as long.
 */
export async function getResultsContext(sql: SqlConnection): Promise<ResultsContext> {
  const { rows } = await sql.query<{ doc: string }>(`SELECT json_build_object(
      'runs', (SELECT coalesce(json_agg(json_build_object('id', r.id, 'label', m.name || ' · ' || r.name) ORDER BY m.name, r.name), '[]')
               FROM "Run" r JOIN "Model" m ON m.id = r."modelId"),
      'judges', (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'version', version, 'kind', kind) ORDER BY "createdAt" DESC, name), '[]') FROM "Judge"),
      'datasets', (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'slug', slug) ORDER BY "createdAt"), '[]') FROM "Dataset"),
      'categories', (SELECT coalesce(json_agg(json_build_object('slug', c.slug, 'name', c.name, 'subcategories', (
          SELECT coalesce(json_agg(json_build_object('id', s.id, 'slug', s.slug, 'name', s.name) ORDER BY s."sortOrder"), '[]')
          FROM "Subcategory" s WHERE s."categoryId" = c.id)) ORDER BY c."sortOrder", c.id), '[]') FROM "Category" c)
    )::text AS doc`);
  return JSON.parse(rows[0].doc) as ResultsContext;
}
