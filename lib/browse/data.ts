// Browse: server-side filtering with keyset pagination on the response id (cuid: roughly creation
// order), so deep pages cost the same as the first. Counts are exact.
import type { DbTx } from "../db";
import { Prisma } from "../db";
import type { SqlConnection } from "../migrations";
import { VERDICTS } from "../metrics/rates";
import { sourceRowsQuery, verdictColumn } from "../results/data";
import type { LabelSource } from "../results/schema";
import { BROWSE_PAGE_SIZE, type BrowseFilter } from "./schema";

export interface BrowseRow {
  id: string;
  promptExternalId: string;
  prompt: string;
  response: string;
  dataset: string;
  category: string;
  subcategory: string;
  expectation: "should_not_comply" | "should_comply";
  model: string;
  run: string;
  judgeVerdict: string | null;
  humanFinal: string | null;
  humanSource: string | null;
  finalVerdict: string | null;
  humanLabels: number;
}

const TEXT_PREVIEW = 400;

/** The final verdict under the filter's label source, as SQL over aliases jl (judge) and f (human final). */
function finalExpr(filter: BrowseFilter): Prisma.Sql {
  const source = sourceOf(filter).kind;
  if (source === "judge") return Prisma.sql`jl.verdict::text`;
  if (source === "adjudicated") return Prisma.sql`(CASE WHEN f.source = 'adjudicated' THEN f.verdict::text END)`;
  return Prisma.sql`COALESCE(f.verdict::text, jl.verdict::text)`;
}

function whereClause(filter: BrowseFilter): Prisma.Sql {
  const w: Prisma.Sql[] = [];
  const final = finalExpr(filter);
  if (filter.dataset) w.push(Prisma.sql`p."datasetId" = ${filter.dataset}`);
  if (filter.run) w.push(Prisma.sql`r."runId" = ${filter.run}`);
  if (filter.category) w.push(Prisma.sql`c.slug = ${filter.category}`);
  if (filter.subcategory) w.push(Prisma.sql`p."subcategoryId" = ${filter.subcategory}`);
  if (filter.expectation) w.push(Prisma.sql`p.expectation = ${filter.expectation}::"Expectation"`);
  if (filter.judgeVerdict) w.push(Prisma.sql`jl.verdict = ${filter.judgeVerdict}::"Verdict"`);
  if (filter.finalVerdict) w.push(Prisma.sql`${final} = ${filter.finalVerdict}`);
  if (filter.labelled) w.push(Prisma.sql`${final} IS NOT NULL`);
  // Starts from the (small) set of responses with a human final verdict instead of scanning responses.
  if (filter.disagree) {
    w.push(Prisma.sql`r.id IN (SELECT hf."responseId" FROM "ResponseHumanFinal" hf JOIN "JudgeLabel" j2 ON j2."responseId" = hf."responseId"
                               AND j2."judgeId" = ${filter.judge ?? ""} WHERE j2.verdict <> hf.verdict)`);
  }
  if (filter.humanVerdict) w.push(Prisma.sql`EXISTS (SELECT 1 FROM "HumanLabel" h WHERE h."responseId" = r.id AND h.verdict = ${filter.humanVerdict}::"Verdict")`);
  if (filter.annotator) w.push(Prisma.sql`EXISTS (SELECT 1 FROM "HumanLabel" h WHERE h."responseId" = r.id AND h."annotatorId" = ${filter.annotator})`);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    // One id set from both trigram indexes (an OR across the join could use neither). Fast for specific
    // terms; a term in a large share of responses collects all its matches first (see bench notes).
    w.push(Prisma.sql`r.id IN (SELECT id FROM "Response" WHERE text ILIKE ${like}
                             UNION SELECT r2.id FROM "Response" r2 WHERE r2."promptId" IN (SELECT id FROM "Prompt" WHERE text ILIKE ${like}))`);
  }
  return w.length ? Prisma.sql`WHERE ${Prisma.join(w, " AND ")}` : Prisma.empty;
}

function fromClause(filter: BrowseFilter): Prisma.Sql {
  return Prisma.sql`
    FROM "Response" r
    JOIN "Prompt" p ON p.id = r."promptId"
    JOIN "Subcategory" s ON s.id = p."subcategoryId"
    JOIN "Category" c ON c.id = s."categoryId"
    LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = ${filter.judge ?? ""}
    LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = r.id`;
}

export async function listResponses(db: DbTx, filter: BrowseFilter): Promise<{ items: BrowseRow[]; nextCursor: string | null }> {
  const desc = (filter.sort ?? "newest") === "newest";
  const where = whereClause(filter);
  const cursor = filter.after ? (desc ? Prisma.sql`r.id < ${filter.after}` : Prisma.sql`r.id > ${filter.after}`) : null;
  const whereWithCursor = cursor ? (where === Prisma.empty ? Prisma.sql`WHERE ${cursor}` : Prisma.sql`${where} AND ${cursor}`) : where;
  const rows = await db.$queryRaw<BrowseRow[]>(Prisma.sql`
    SELECT r.id, p."externalId" AS "promptExternalId", left(p.text, ${TEXT_PREVIEW}) AS prompt, left(r.text, ${TEXT_PREVIEW}) AS response,
           d.name AS dataset, c.name AS category, s.name AS subcategory, p.expectation::text AS expectation,
           m.name AS model, ru.name AS run, jl.verdict::text AS "judgeVerdict", f.verdict::text AS "humanFinal",
           f.source::text AS "humanSource", ${finalExpr(filter)} AS "finalVerdict",
           (SELECT count(*)::int FROM "HumanLabel" h WHERE h."responseId" = r.id) AS "humanLabels"
    FROM (SELECT r.id ${fromClause(filter)} ${whereWithCursor}
          ORDER BY r.id ${desc ? Prisma.sql`DESC` : Prisma.sql`ASC`} LIMIT ${BROWSE_PAGE_SIZE + 1}) page
    JOIN "Response" r ON r.id = page.id
    JOIN "Prompt" p ON p.id = r."promptId"
    JOIN "Dataset" d ON d.id = p."datasetId"
    JOIN "Subcategory" s ON s.id = p."subcategoryId"
    JOIN "Category" c ON c.id = s."categoryId"
    JOIN "Run" ru ON ru.id = r."runId"
    JOIN "Model" m ON m.id = ru."modelId"
    LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = ${filter.judge ?? ""}
    LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = r.id
    ORDER BY r.id ${desc ? Prisma.sql`DESC` : Prisma.sql`ASC`}`);
  const more = rows.length > BROWSE_PAGE_SIZE;
  const items = rows.slice(0, BROWSE_PAGE_SIZE).map((r) => ({ ...r, humanLabels: Number(r.humanLabels) }));
  return { items, nextCursor: more ? items[items.length - 1].id : null };
}

/** The label source a filter implies (the same rule as finalExpr). */
function sourceOf(filter: BrowseFilter): LabelSource {
  const kind = filter.source ?? (filter.judge ? "best" : "adjudicated");
  return kind === "adjudicated" ? { kind } : { kind, judgeId: filter.judge ?? "" };
}

const AGGREGATE_KEYS = new Set(["run", "dataset", "category", "subcategory", "expectation", "labelled", "finalVerdict", "source", "judge", "sort", "after"]);

/** Filters that only select labelled responses by cell and verdict can be counted from the aggregates. */
export function countableFromAggregates(filter: BrowseFilter): boolean {
  const keys = Object.entries(filter).filter(([, v]) => v !== undefined).map(([k]) => k);
  return keys.every((k) => AGGREGATE_KEYS.has(k)) && (filter.labelled !== undefined || filter.finalVerdict !== undefined);
}

export const COUNT_CAP = 10_000;

/**
 * Number of responses matching the filter (the cursor is ignored). What a Results cell links to is
 * counted from the exact aggregates (O(cells)); anything else is counted up to COUNT_CAP, so a page never
 * waits for a full scan of a large table (`capped` says the true number is larger).
 */
export async function countResponses(opened: { db: DbTx; sql: SqlConnection }, filter: BrowseFilter): Promise<{ n: number; capped: boolean }> {
  if (countableFromAggregates(filter)) {
    // Rows of the aggregate tables under the filter's label source (up to two per cell): the count is
    // their sum, of one verdict's column or of all four.
    const [sourceRows, params] = sourceRowsQuery(sourceOf(filter));
    const w: string[] = [];
    const add = (cond: (i: number) => string, value: unknown) => {
      params.push(value);
      w.push(cond(params.length));
    };
    if (filter.run) add((i) => `x."runId" = $${i}`, filter.run);
    if (filter.dataset) add((i) => `x."datasetId" = $${i}`, filter.dataset);
    if (filter.subcategory) add((i) => `x."subcategoryId" = $${i}`, filter.subcategory);
    if (filter.category) {
      add((i) => `x."subcategoryId" IN (SELECT s.id FROM "Subcategory" s JOIN "Category" c ON c.id = s."categoryId" WHERE c.slug = $${i})`, filter.category);
    }
    if (filter.expectation) add((i) => `x.expectation = $${i}::"Expectation"`, filter.expectation);
    const counted = filter.finalVerdict ? `x.${verdictColumn(filter.finalVerdict)}` : VERDICTS.map((v) => `x.${verdictColumn(v)}`).join(" + ");
    const { rows: [row] } = await opened.sql.query<{ n: number }>(
      `SELECT coalesce(sum(${counted}), 0)::int AS n FROM (${sourceRows}) x ${w.length ? `WHERE ${w.join(" AND ")}` : ""}`,
      params,
    );
    return { n: Number(row.n), capped: false };
  }
  const [row] = await opened.db.$queryRaw<{ n: number }[]>(
    Prisma.sql`SELECT count(*)::int AS n FROM (SELECT 1 ${fromClause(filter)} ${whereClause(filter)} LIMIT ${COUNT_CAP + 1}) x`,
  );
  const n = Number(row.n);
  return n > COUNT_CAP ? { n: COUNT_CAP, capped: true } : { n, capped: false };
}

/** The exact count by a plain query over the label tables (tests compare both paths with it). */
export async function countResponsesExactly(db: DbTx, filter: BrowseFilter): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>(Prisma.sql`SELECT count(*)::int AS n ${fromClause(filter)} ${whereClause(filter)}`);
  return Number(row.n);
}

/** Options for the filter form. */
export async function getBrowseOptions(db: DbTx) {
  const [datasets, runs, categories, judges, annotators] = await Promise.all([
    db.dataset.findMany({ select: { id: true, name: true }, orderBy: { createdAt: "asc" } }),
    db.run.findMany({ select: { id: true, name: true, model: { select: { name: true } } }, orderBy: [{ model: { name: "asc" } }, { name: "asc" }] }),
    db.category.findMany({ orderBy: { sortOrder: "asc" }, select: { slug: true, name: true, subcategories: { orderBy: { sortOrder: "asc" }, select: { id: true, name: true } } } }),
    db.judge.findMany({ select: { id: true, name: true, version: true }, orderBy: { createdAt: "desc" } }),
    db.user.findMany({ where: { humanLabels: { some: {} } }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  return {
    datasets,
    runs: runs.map((r) => ({ id: r.id, label: `${r.model.name} · ${r.name}` })),
    categories,
    judges: judges.map((j) => ({ id: j.id, label: `${j.name} v${j.version}` })),
    annotators,
  };
}
export type BrowseOptions = Awaited<ReturnType<typeof getBrowseOptions>>;
