// The responses a judge job labels, in response-id order, a batch at a time after a cursor.
//
// A run, a dataset or a Browse filter is turned into SQL by lib/browse/where.ts, the one place that decides which
// responses a filter selects (Browse's pages and counts and the exports use it too), so a job over "the current
// Browse filter" labels exactly the responses Browse lists (judge.db.test.ts compares the two).
import { selectionOfBrowse, selectionSql, type ResponseSelection } from "../browse/where";
import type { BrowseFilter } from "../browse/schema";
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

/** The filter as a selection: without paging and ordering (a job goes through all of it, by id). */
export function selectionFilter(f: BrowseFilter): BrowseFilter {
  const { after: _after, sort: _sort, ...rest } = f;
  return rest;
}

function responseSelection(sel: Selection): ResponseSelection {
  if ("runId" in sel) return { runIds: [sel.runId], source: "adjudicated", judgeId: null };
  if ("datasetId" in sel) return { datasetIds: [sel.datasetId], source: "adjudicated", judgeId: null };
  return selectionOfBrowse(selectionFilter(sel.browse));
}

/** Fails with a clear message when the run or dataset of the selection does not exist (any more). */
export async function checkSelection(opened: WorkerDb, sel: Selection): Promise<void> {
  const exists = async (table: string, id: string) => (await opened.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE id = $1`, [id])).rows[0].n > 0;
  if ("runId" in sel && !(await exists("Run", sel.runId))) throw new AppError("not_found", `Run ${sel.runId} does not exist.`);
  if ("datasetId" in sel && !(await exists("Dataset", sel.datasetId))) throw new AppError("not_found", `Dataset ${sel.datasetId} does not exist.`);
}

/** How many responses the selection has (once per job: the text condition may use the trigram indexes). */
export async function countSelection(opened: WorkerDb, sel: Selection): Promise<number> {
  const s = selectionSql(responseSelection(sel), { text: "index" });
  const { rows } = await opened.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Response" r ${s.joins} WHERE ${s.where}`, s.params);
  return Number(rows[0].n);
}

/**
 * The next `limit` responses of the selection after `cursor` (a response id; null = from the start), in id
 * order, each saying whether judge `judgeId` labelled it already. A text condition is tested row by row in id
 * order ("scan"): over a whole job that is one pass through the responses, whatever the term.
 */
export async function fetchSelection(opened: WorkerDb, sel: Selection, cursor: string | null, limit: number, judgeId: string): Promise<SelectedResponse[]> {
  const s = selectionSql(responseSelection(sel), { firstParam: 4, text: "scan" });
  const { rows } = await opened.sql.query<SelectedResponse>(
    `SELECT rr.id, rr.text AS response, pp.text AS prompt, pp.expectation::text AS expectation, pp."subcategoryId" AS "subcategoryId",
            ss.slug AS subcategory, cc.slug AS category,
            EXISTS (SELECT 1 FROM "JudgeLabel" jx WHERE jx."responseId" = rr.id AND jx."judgeId" = $2) AS labelled
     FROM (SELECT r.id FROM "Response" r ${s.joins} WHERE (${s.where}) AND r.id > $1 ORDER BY r.id LIMIT $3) page
     JOIN "Response" rr ON rr.id = page.id
     JOIN "Prompt" pp ON pp.id = rr."promptId"
     JOIN "Subcategory" ss ON ss.id = pp."subcategoryId"
     JOIN "Category" cc ON cc.id = ss."categoryId"
     ORDER BY rr.id`,
    [cursor ?? "", judgeId, limit, ...s.params],
  );
  return rows;
}
