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

interface PromptInfo {
  prompt: string;
  expectation: SelectedResponse["expectation"];
  subcategoryId: string;
  subcategory: string;
  category: string;
}

/**
 * Prompts by id, filled as batches meet them: a batch reads each response's prompt id only, and the prompt
 * (its text, expectation and taxonomy) once per job; many responses share a prompt (one per run). Bounded: a
 * selection over more distinct prompts than this re-reads some, which costs a query per batch, nothing more.
 */
export class PromptCache {
  private readonly map = new Map<string, PromptInfo>();
  constructor(private readonly max = 50_000) {}

  async fill(opened: WorkerDb, ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.map.has(id));
    if (!missing.length) return;
    if (this.map.size + missing.length > this.max) this.map.clear();
    const { rows } = await opened.sql.query<PromptInfo & { id: string }>(
      `SELECT p.id, p.text AS prompt, p.expectation::text AS expectation, p."subcategoryId", s.slug AS subcategory, c.slug AS category
       FROM "Prompt" p JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"
       WHERE p.id = ANY(string_to_array($1, ','))`,
      [missing.join(",")],
    );
    for (const { id, ...info } of rows) this.map.set(id, info);
  }

  get(id: string): PromptInfo {
    const p = this.map.get(id);
    if (!p) throw new Error(`prompt ${id} is missing`);
    return p;
  }
}

/**
 * The next `limit` responses of the selection after `cursor` (a response id; null = from the start), in id
 * order, each saying whether judge `judgeId` labelled it already. A text condition is tested row by row in id
 * order ("scan"): over a whole job that is one pass through the responses, whatever the term.
 */
export async function fetchSelection(
  opened: WorkerDb,
  sel: Selection,
  cursor: string | null,
  limit: number,
  judgeId: string,
  prompts: PromptCache = new PromptCache(),
): Promise<SelectedResponse[]> {
  const s = selectionSql(responseSelection(sel), { firstParam: 4, text: "scan" });
  const { rows } = await opened.sql.query<{ id: string; response: string; promptId: string; labelled: boolean }>(
    // OFFSET 0 keeps the EXISTS a probe of the (responseId, judgeId) index per row: without it PostgreSQL may
    // hash every label of the judge instead, once per batch, and a job's own labels grow with every batch.
    `SELECT r.id, r.text AS response, r."promptId",
            EXISTS (SELECT 1 FROM "JudgeLabel" jx WHERE jx."responseId" = r.id AND jx."judgeId" = $2 OFFSET 0) AS labelled
     FROM "Response" r ${s.joins} WHERE (${s.where}) AND r.id > $1 ORDER BY r.id LIMIT $3`,
    [cursor ?? "", judgeId, limit, ...s.params],
  );
  await prompts.fill(opened, rows.map((r) => r.promptId));
  return rows.map((r) => ({ id: r.id, response: r.response, labelled: r.labelled, ...prompts.get(r.promptId) }));
}
