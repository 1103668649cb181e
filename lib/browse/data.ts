// Browse: server-side filtering with keyset pagination on the response id (cuid: roughly creation
// order), so deep pages cost the same as the first. Counts are exact.
import type { DbTx } from "../db";
import { Prisma } from "../db";
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
  const source = filter.source ?? (filter.judge ? "best" : "adjudicated");
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
  if (filter.disagree) w.push(Prisma.sql`jl.verdict IS NOT NULL AND f.verdict IS NOT NULL AND jl.verdict <> f.verdict`);
  if (filter.humanVerdict) w.push(Prisma.sql`EXISTS (SELECT 1 FROM "HumanLabel" h WHERE h."responseId" = r.id AND h.verdict = ${filter.humanVerdict}::"Verdict")`);
  if (filter.annotator) w.push(Prisma.sql`EXISTS (SELECT 1 FROM "HumanLabel" h WHERE h."responseId" = r.id AND h."annotatorId" = ${filter.annotator})`);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    w.push(Prisma.sql`(p.text ILIKE ${like} OR r.text ILIKE ${like})`);
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

/** Exact number of responses matching the filter (the cursor is ignored). */
export async function countResponses(db: DbTx, filter: BrowseFilter): Promise<number> {
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
