// The responses a judge job labels, in response-id order, a batch at a time after a cursor.
//
// A run or a dataset is one indexed condition. A Browse filter must select exactly what Browse lists: filters on
// columns of the response's own row and prompt (dataset, run, category, subcategory, expectation) are the same
// conditions as lib/browse/data.ts and run as one query per batch (selection.db.test.ts checks the ids against
// Browse's own listResponses); any other filter (verdicts, annotators, text search, disagreement) pages through
// listResponses itself, so it can never drift from what the Browse page shows.
import { listResponses, countResponsesExactly } from "../browse/data";
import type { BrowseFilter } from "../browse/schema";
import { BROWSE_PAGE_SIZE } from "../browse/schema";
import { AppError } from "../errors";
import type { WorkerDb } from "./worker";
import type { Selection } from "./schema";

export interface SelectedResponse {
  id: string;
  response: string;
  prompt: string;
  expectation: "should_not_comply" | "should_comply";
  subcategoryId: string;
  /** Slugs, as the heuristic judge reads them. */
  subcategory: string;
  category: string;
  /** The judge version named in the query already labelled this response. */
  labelled: boolean;
}

/** Browse keys whose condition is on the response row or its prompt alone (see whereClause in lib/browse/data.ts). */
const DIRECT_KEYS = new Set(["dataset", "run", "category", "subcategory", "expectation"]);
/** Keys that do not change which responses Browse lists (ordering, paging, and the label source when no verdict filter uses it). */
const NEUTRAL_KEYS = new Set(["sort", "after", "judge", "source"]);

/** The filter as a selection: without paging and ordering (a job goes through all of it, by id). */
export function selectionFilter(f: BrowseFilter): BrowseFilter {
  const { after: _after, sort: _sort, ...rest } = f;
  return rest;
}

/** True when every condition of the filter is a direct column condition (one query per batch). */
export function isDirectFilter(f: BrowseFilter): boolean {
  return Object.entries(f).every(([k, v]) => v === undefined || DIRECT_KEYS.has(k) || NEUTRAL_KEYS.has(k));
}

/** WHERE conditions over r "Response", p "Prompt", c "Category", with params from `first`. Null: not direct. */
function directWhere(sel: Selection, first: number): { conds: string[]; params: unknown[] } | null {
  const conds: string[] = [];
  const params: unknown[] = [];
  const add = (cond: (p: string) => string, v: unknown) => {
    params.push(v);
    conds.push(cond(`$${first + params.length - 1}`));
  };
  if ("runId" in sel) add((p) => `r."runId" = ${p}`, sel.runId);
  else if ("datasetId" in sel) add((p) => `p."datasetId" = ${p}`, sel.datasetId);
  else {
    const f = sel.browse;
    if (!isDirectFilter(f)) return null;
    if (f.dataset) add((p) => `p."datasetId" = ${p}`, f.dataset);
    if (f.run) add((p) => `r."runId" = ${p}`, f.run);
    if (f.category) add((p) => `c.slug = ${p}`, f.category);
    if (f.subcategory) add((p) => `p."subcategoryId" = ${p}`, f.subcategory);
    if (f.expectation) add((p) => `p.expectation = ${p}::"Expectation"`, f.expectation);
  }
  return { conds, params };
}

const FROM = `FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId" JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"`;

/** Fails with a clear message when the run or dataset of the selection does not exist (any more). */
export async function checkSelection(opened: WorkerDb, sel: Selection): Promise<void> {
  const exists = async (table: string, id: string) => (await opened.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE id = $1`, [id])).rows[0].n > 0;
  if ("runId" in sel && !(await exists("Run", sel.runId))) throw new AppError("not_found", `Run ${sel.runId} does not exist.`);
  if ("datasetId" in sel && !(await exists("Dataset", sel.datasetId))) throw new AppError("not_found", `Dataset ${sel.datasetId} does not exist.`);
}

/** How many responses the selection has. */
export async function countSelection(opened: WorkerDb, sel: Selection): Promise<number> {
  const w = directWhere(sel, 1);
  if (!w) return countResponsesExactly(opened.db, selectionFilter((sel as { browse: BrowseFilter }).browse));
  const { rows } = await opened.sql.query<{ n: number }>(`SELECT count(*)::int AS n ${FROM} ${w.conds.length ? `WHERE ${w.conds.join(" AND ")}` : ""}`, w.params);
  return Number(rows[0].n);
}

function detailQuery(where: string, judgeParam: string, limitParam: string | null): string {
  return `SELECT r.id, r.text AS response, p.text AS prompt, p.expectation::text AS expectation, p."subcategoryId" AS "subcategoryId",
                 s.slug AS subcategory, c.slug AS category,
                 EXISTS (SELECT 1 FROM "JudgeLabel" jl WHERE jl."responseId" = r.id AND jl."judgeId" = ${judgeParam}) AS labelled
          ${FROM} WHERE ${where} ORDER BY r.id ${limitParam ? `LIMIT ${limitParam}` : ""}`;
}

/**
 * The next `limit` responses of the selection after `cursor` (a response id; null = from the start), in id
 * order, each saying whether judge `judgeId` labelled it already.
 */
export async function fetchSelection(opened: WorkerDb, sel: Selection, cursor: string | null, limit: number, judgeId: string): Promise<SelectedResponse[]> {
  const w = directWhere(sel, 4);
  if (w) {
    const conds = [`r.id > $1`, ...w.conds];
    const { rows } = await opened.sql.query<SelectedResponse>(detailQuery(conds.join(" AND "), "$2", "$3"), [cursor ?? "", judgeId, limit, ...w.params]);
    return rows;
  }
  // Browse's own query, a page at a time, oldest first from the cursor; then the full texts of those ids.
  const filter: BrowseFilter = { ...selectionFilter((sel as { browse: BrowseFilter }).browse), sort: "oldest" };
  const ids: string[] = [];
  let after = cursor ?? undefined;
  while (ids.length < limit) {
    const page = await listResponses(opened.db, { ...filter, after });
    ids.push(...page.items.map((i) => i.id));
    if (!page.nextCursor || page.items.length < BROWSE_PAGE_SIZE) break;
    after = page.nextCursor;
  }
  if (!ids.length) return [];
  const { rows } = await opened.sql.query<SelectedResponse>(detailQuery(`r.id = ANY(string_to_array($1, ','))`, "$2", null), [ids.join(","), judgeId]);
  // Pages come in whole; a batch may be up to a page longer than `limit`, which is harmless.
  return rows;
}
