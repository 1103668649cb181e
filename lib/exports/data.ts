// Export queries: pages of responses with everything one export row needs, by keyset pagination (never a whole
// table in memory, no server-side cursor holding a transaction open while a slow client downloads).
// Runs on the raw connection of lib/db.ts (OpenedDb.sql: the pg pool, or PGlite), not through Prisma: 1M rows
// through the ORM's result mapping would cost more than the query.
import { selectionSql, type ResponseSelection } from "../browse/where";
import { AppError } from "../errors";
import type { SqlConnection } from "../migrations";
import type { ExportDbRow } from "./rows";

export interface ExportDb {
  sql: SqlConnection;
}

/** ISO 8601 UTC text of a `timestamp(3)` column (Prisma stores UTC wall time), independent of driver parsing. */
const iso = (col: string) => `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The judge version chosen by name and version, or an error that says which judges exist. */
export async function resolveJudge(db: ExportDb, judge: { name: string; version: string }): Promise<string> {
  const { rows } = await db.sql.query<{ id: string }>(`SELECT id FROM "Judge" WHERE name = $1 AND version = $2`, [judge.name, judge.version]);
  if (rows[0]) return rows[0].id;
  const known = await db.sql.query<{ j: string }>(`SELECT name || '@' || version AS j FROM "Judge" ORDER BY name, version LIMIT 20`);
  throw new AppError("not_found", `There is no judge "${judge.name}" version "${judge.version}". Judges: ${known.rows.map((r) => r.j).join(", ") || "none"}.`);
}

/** E-mail addresses of everyone with a human label on the selected responses, sorted (the CSV's label columns). */
export async function listExportAnnotators(db: ExportDb, sel: ResponseSelection): Promise<string[]> {
  const w = selectionSql(sel, { text: "scan" });
  const { rows } = await db.sql.query<{ email: string }>(
    `SELECT u.email FROM "User" u WHERE EXISTS (
       SELECT 1 FROM "HumanLabel" h JOIN "Response" r ON r.id = h."responseId" ${w.joins} WHERE h."annotatorId" = u.id AND ${w.where})
     ORDER BY u.email`,
    w.params,
  );
  return rows.map((r) => r.email);
}

/**
 * Selects the rows of `page` (a CTE of response ids, text and times, in output order) with their prompt, run,
 * the chosen judge's label (no judge: each response's newest label), all human labels and the adjudication.
 * The export materializes each page (a small, already limited set); bench/io.ts runs the same query over the
 * whole table as one COPY, where the CTE is inlined instead.
 */
export function rowsSql(pageCte: string, judgeParam: string | null, orderBy: string, opts: { materialized: boolean } = { materialized: true }): string {
  const judge = judgeParam
    ? `WHERE l."responseId" = page.id AND l."judgeId" = ${judgeParam}`
    : `WHERE l."responseId" = page.id ORDER BY j."createdAt" DESC, j.id DESC LIMIT 1`;
  return `WITH page AS ${opts.materialized ? "MATERIALIZED " : ""}(${pageCte})
  SELECT page.id AS response_id, p.id AS prompt_row_id, p."externalId" AS prompt_id, d.slug AS dataset, c.slug AS category, s.slug AS subcategory,
    p.expectation::text AS expectation, p.text AS prompt, m.name AS model, ru.name AS run, page.text AS response,
    ${iso('page."createdAt"')} AS response_created_at,
    jl.name AS judge_name, jl.version AS judge_version, jl.verdict AS judge_verdict, jl.rationale AS judge_rationale, jl.at AS judge_labelled_at,
    hl.labels AS human_labels,
    a.verdict::text AS adj_verdict, a.reason::text AS adj_reason, a.note AS adj_note, au.email AS adjudicator,
    ${iso('a."createdAt"')} AS adj_created_at, ${iso('a."updatedAt"')} AS adj_updated_at
  FROM page
  JOIN "Prompt" p ON p.id = page."promptId"
  JOIN "Dataset" d ON d.id = p."datasetId"
  JOIN "Subcategory" s ON s.id = p."subcategoryId"
  JOIN "Category" c ON c.id = s."categoryId"
  JOIN "Run" ru ON ru.id = page."runId"
  JOIN "Model" m ON m.id = ru."modelId"
  LEFT JOIN LATERAL (
    SELECT j.name, j.version, l.verdict::text AS verdict, l.rationale, ${iso('l."createdAt"')} AS at
    FROM "JudgeLabel" l JOIN "Judge" j ON j.id = l."judgeId" ${judge}
  ) jl ON true
  LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('annotator', u.email, 'verdict', h.verdict, 'note', h.note,
      'created_at', ${iso('h."createdAt"')}, 'updated_at', ${iso('h."updatedAt"')}) ORDER BY u.email)::text AS labels
    FROM "HumanLabel" h JOIN "User" u ON u.id = h."annotatorId" WHERE h."responseId" = page.id
  ) hl ON true
  LEFT JOIN "Adjudication" a ON a."responseId" = page.id
  LEFT JOIN "User" au ON au.id = a."adjudicatorId"
  ORDER BY ${orderBy}`;
}

/**
 * The selection's conditions for a page query over "Response" r. Only the joins the selection needs (without a
 * filter a page is a plain primary-key range scan: measured at 1M rows, joining every table in every page made
 * the export 1.5× slower). A text search is tested row by row as the pages advance in id order: one pass over
 * the responses for the whole export, whatever the term (the trigram form would collect every match again for
 * each page).
 */
const pageWhere = (sel: ResponseSelection) => selectionSql(sel, { firstParam: 1, text: "scan" });

/** The next page of responses after `after` (a response id; "" for the first page), in id order. */
export async function fetchExportPage(
  db: ExportDb,
  sel: ResponseSelection,
  opts: { after: string; limit: number; judgeId: string | null },
): Promise<ExportDbRow[]> {
  const w = pageWhere(sel);
  const n = w.nextParam;
  const page = `SELECT r.id, r."runId", r."promptId", r.text, r."createdAt" FROM "Response" r ${w.joins}
    WHERE ${w.where} AND r.id > $${n} ORDER BY r.id LIMIT $${n + 1}`;
  const params = [...w.params, opts.after, opts.limit, ...(opts.judgeId ? [opts.judgeId] : [])];
  const { rows } = await db.sql.query<ExportDbRow>(rowsSql(page, opts.judgeId ? `$${n + 2}` : null, "page.id"), params);
  return rows;
}

/**
 * The next page in (prompt, response id) order, after the given position (null for the first page): the order
 * that groups all responses to one prompt together, for preference pairs. Served by "Response_promptId_idx"
 * with an incremental sort per prompt, so a page costs the same as one in id order.
 */
export async function fetchExportPageByPrompt(
  db: ExportDb,
  sel: ResponseSelection,
  opts: { after: { promptId: string; id: string } | null; limit: number; judgeId: string | null },
): Promise<ExportDbRow[]> {
  const w = pageWhere(sel);
  const n = w.nextParam;
  const page = `SELECT r.id, r."runId", r."promptId", r.text, r."createdAt" FROM "Response" r ${w.joins}
    WHERE ${w.where} AND (r."promptId", r.id) > ($${n}, $${n + 1}) ORDER BY r."promptId", r.id LIMIT $${n + 2}`;
  const params = [...w.params, opts.after?.promptId ?? "", opts.after?.id ?? "", opts.limit, ...(opts.judgeId ? [opts.judgeId] : [])];
  const { rows } = await db.sql.query<ExportDbRow>(rowsSql(page, opts.judgeId ? `$${n + 3}` : null, `page."promptId", page.id`), params);
  return rows;
}
