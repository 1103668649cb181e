// Browse: server-side filtering with keyset pagination on the response id (cuid: roughly creation order), so
// deep pages cost the same as the first. Which rows a filter selects is decided in one place
// (lib/browse/where.ts, shared with the exports); this file decides how to find a page of them fast and how
// to count them: exactly when that is cheap, otherwise a proven lower bound ("≥ n", `capped`).
import type { DbTx } from "../db";
import type { SqlConnection } from "../migrations";
import { VERDICTS } from "../metrics/rates";
import { sourceRowsQuery, verdictColumn } from "../results/data";
import { BROWSE_PAGE_SIZE, type BrowseFilter } from "./schema";
import { browseSourceKind, finalVerdictSql, selectionOfBrowse, selectionSql, textScanSql, type ResponseSelection } from "./where";

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

/**
 * Text search pages read the selection in page order and test each row (TextStrategy "scan") before they
 * turn to the trigram indexes ("index"): a term in ≥ 1% of the responses fills a page within TEXT_WINDOW
 * rows (bench, 1M responses: "help", in ~28%, ~20 ms; through the indexes ~1.5 s, which collect every
 * match first). When the window holds some matches but too few, the rate found says how many more rows the
 * page needs; up to TEXT_SCAN_MAX they are read too, beyond that the indexes serve the rest (a rare term has
 * few matches, so that is cheap for words; a phrase of common words is the slow case: its trigrams match more
 * rows than the phrase, and each candidate is a heap page read: "really. My", 1,140 matches among 4,231
 * candidates at 1M, ~60–110 ms).
 */
export const TEXT_WINDOW = 5_000;
export const TEXT_SCAN_MAX = 30_000;
/** Rows of the selection a text-search count reads (~17 ms per 10,000 on the bench machine). */
export const TEXT_COUNT_WINDOW = 10_000;
/** How long an exact count of a rare term through the indexes may take before the page shows the lower bound. */
export const TEXT_COUNT_TIMEOUT_MS = 50;
/** Human final verdicts a disagreement count reads before it reports a lower bound (~10 µs each: one judge-label lookup). */
export const DISAGREE_COUNT_WINDOW = 5_000;
/** A count stops here and says "≥ COUNT_CAP": counting every match of a broad filter would scan the table. */
export const COUNT_CAP = 10_000;

/** Window sizes and the cap, for tests that exercise every path on a small database. */
export interface BrowseTuning {
  textWindow?: number;
  textScanMax?: number;
  textCountWindow?: number;
  disagreeCountWindow?: number;
  textCountTimeoutMs?: number;
  countCap?: number;
}

/** A client or a transaction (queues and jobs page through Browse inside theirs), for raw SQL with $n placeholders. */
type Raw = Pick<DbTx, "$queryRawUnsafe">;
const raw = <T>(db: Raw, text: string, params: unknown[]) => db.$queryRawUnsafe<T[]>(text, ...params);

/** The next `window` rows of the selection without its text condition, in page order, after `after`. */
function windowSql(sel: ResponseSelection, desc: boolean, after: string | undefined, columns: string, window: number): [string, unknown[]] {
  const s = selectionSql(sel, { omitText: true });
  const cursor = after ? ` AND r.id ${desc ? "<" : ">"} $${s.nextParam}` : "";
  return [
    `SELECT ${columns} FROM "Response" r ${s.joins} WHERE ${s.where}${cursor} ORDER BY r.id ${desc ? "DESC" : "ASC"} LIMIT ${Math.floor(window)}`,
    [...s.params, ...(after ? [after] : [])],
  ];
}

/**
 * Text search: up to `want` matching ids from the next `window` rows, tested row by row; the scan stops as
 * soon as it has them. When it has fewer, the whole window was read: `scanned` and `last` (the last id read)
 * say how far.
 */
async function scanWindow(db: Raw, sel: ResponseSelection, desc: boolean, after: string | undefined, window: number, want: number) {
  const [w, params] = windowSql(sel, desc, after, `r.id, r.text, r."promptId"`, window);
  const q = `$${params.length + 1}`;
  const ids = (await raw<{ id: string }>(db, `SELECT w.id FROM (${w}) w WHERE ${textScanSql("w", q)} ORDER BY w.id ${desc ? "DESC" : "ASC"} LIMIT ${want}`, [...params, sel.text])).map((r) => r.id);
  if (ids.length >= want) return { ids, scanned: window, last: ids[ids.length - 1], exhausted: false };
  const [ws, wparams] = windowSql(sel, desc, after, `r.id`, window);
  const [row] = await raw<{ scanned: number; last: string | null }>(db, `SELECT count(*)::int AS scanned, ${desc ? "min" : "max"}(id) AS last FROM (${ws}) x`, wparams);
  const scanned = Number(row.scanned);
  return { ids, scanned, last: row.last ?? after, exhausted: scanned < window };
}

/**
 * Ids of one page (plus one, to know whether more follow), in the filter's order. `total`: the number of
 * matching responses, when finding the page counted them anyway (through the indexes, or a first page whose
 * window held the whole selection).
 */
async function pageIds(db: Raw, sel: ResponseSelection, desc: boolean, after: string | undefined, tuning: BrowseTuning): Promise<{ ids: string[]; total?: number }> {
  const limit = BROWSE_PAGE_SIZE + 1;
  let from = after;
  const ids: string[] = [];
  if (sel.text !== undefined) {
    const first = await scanWindow(db, sel, desc, from, tuning.textWindow ?? TEXT_WINDOW, limit);
    ids.push(...first.ids);
    if (ids.length >= limit) return { ids };
    if (first.exhausted) return { ids, total: after === undefined ? ids.length : undefined };
    from = first.last;
    // The rate so far, with a margin, says how many more rows the page needs.
    const need = ids.length ? Math.ceil((((limit - ids.length) * first.scanned) / ids.length) * 1.5) : Infinity;
    if (need <= (tuning.textScanMax ?? TEXT_SCAN_MAX)) {
      const second = await scanWindow(db, sel, desc, from, need, limit - ids.length);
      ids.push(...second.ids);
      if (ids.length >= limit) return { ids };
      if (second.exhausted) return { ids, total: after === undefined ? ids.length : undefined };
      from = second.last;
    }
  }
  const s = selectionSql(sel, { text: "index" });
  const params = [...s.params, ...(from ? [from] : [])];
  const next = from ? ` AND r.id ${desc ? "<" : ">"} $${s.nextParam}` : "";
  const order = `${desc ? "DESC" : "ASC"} LIMIT ${limit - ids.length}`;
  if (sel.text === undefined) {
    const rows = await raw<{ id: string }>(db, `SELECT r.id FROM "Response" r ${s.joins} WHERE ${s.where}${next} ORDER BY r.id ${order}`, params);
    return { ids: [...ids, ...rows.map((r) => r.id)] };
  }
  // A text search through the indexes collects every match of the selection before it can sort them, so the
  // exact count comes free with the page (the page then runs no count query of its own). As a CTE: with
  // count(*) OVER () on the ordered query the planner merge-joined the matches with the whole primary key
  // (260 ms instead of 47 ms for "really. My" at 1M).
  const [row] = await raw<{ total: number; ids: string }>(
    db,
    `WITH m AS MATERIALIZED (SELECT r.id FROM "Response" r ${s.joins} WHERE ${s.where})
     SELECT (SELECT count(*) FROM m)::int AS total,
            array_to_string(ARRAY(SELECT r.id FROM m r WHERE TRUE${next} ORDER BY r.id ${order}), ',') AS ids`,
    params,
  );
  return { ids: [...ids, ...(row.ids ? row.ids.split(",") : [])], total: Number(row.total) };
}

/** A page of responses; `total` is the exact number of matches when finding the page counted them anyway. */
export async function listResponses(db: Raw, filter: BrowseFilter, tuning: BrowseTuning = {}): Promise<{ items: BrowseRow[]; nextCursor: string | null; total?: number }> {
  const desc = (filter.sort ?? "newest") === "newest";
  const { ids, total } = await pageIds(db, selectionOfBrowse(filter), desc, filter.after, tuning);
  if (!ids.length) return { items: [], nextCursor: null, total };
  const rows = await raw<BrowseRow>(
    db,
    `SELECT r.id, p."externalId" AS "promptExternalId", left(p.text, ${TEXT_PREVIEW}) AS prompt, left(r.text, ${TEXT_PREVIEW}) AS response,
            d.name AS dataset, c.name AS category, s.name AS subcategory, p.expectation::text AS expectation,
            m.name AS model, ru.name AS run, jl.verdict::text AS "judgeVerdict", f.verdict::text AS "humanFinal",
            f.source::text AS "humanSource", ${finalVerdictSql(browseSourceKind(filter))} AS "finalVerdict",
            (SELECT count(*)::int FROM "HumanLabel" h WHERE h."responseId" = r.id) AS "humanLabels"
     FROM "Response" r
     JOIN "Prompt" p ON p.id = r."promptId"
     JOIN "Dataset" d ON d.id = p."datasetId"
     JOIN "Subcategory" s ON s.id = p."subcategoryId"
     JOIN "Category" c ON c.id = s."categoryId"
     JOIN "Run" ru ON ru.id = r."runId"
     JOIN "Model" m ON m.id = ru."modelId"
     LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = $2
     LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = r.id
     WHERE r.id = ANY($1::text[])
     ORDER BY r.id ${desc ? "DESC" : "ASC"}`,
    [ids, filter.judge ?? null],
  );
  const more = rows.length > BROWSE_PAGE_SIZE;
  const items = rows.slice(0, BROWSE_PAGE_SIZE).map((r) => ({ ...r, humanLabels: Number(r.humanLabels) }));
  return { items, nextCursor: more ? items[items.length - 1].id : null, total };
}

/**
 * Everything the Browse page shows: the filter form's options, a page of rows and the count. In parallel,
 * except for a text search: its rows come first, because when they come from the indexes the exact count
 * comes with them, and a second search of the same term would compete with the first for the same disk
 * pages (bench: a 0.1% phrase at 1M, ~70 ms this way, ~150–230 ms in parallel on a busy machine).
 */
export async function getBrowsePage(opened: { db: DbTx; sql: SqlConnection }, filter: BrowseFilter) {
  const rowsAndCount = async (): Promise<[Awaited<ReturnType<typeof listResponses>>, BrowseCount]> => {
    if (filter.q === undefined) return Promise.all([listResponses(opened.db, filter), countResponses(opened, filter)]);
    const page = await listResponses(opened.db, filter);
    return [page, page.total !== undefined ? { n: page.total, capped: false } : await countResponses(opened, filter)];
  };
  const [options, [page, total]] = await Promise.all([getBrowseOptions(opened.db), rowsAndCount()]);
  return { options, page, total };
}

/** The label source a filter implies (the same rule as the final verdict in where.ts). */
function sourceOf(filter: BrowseFilter) {
  const kind = browseSourceKind(filter);
  return kind === "adjudicated" ? { kind } : { kind, judgeId: filter.judge ?? "" };
}

const CELL_KEYS = ["run", "dataset", "category", "subcategory", "expectation"];
const NEUTRAL_KEYS = ["source", "judge", "sort", "after"];
/** The filter's keys that select (not the label source, the order or the cursor). */
const otherKeys = (filter: BrowseFilter) =>
  Object.entries(filter)
    .filter(([k, v]) => v !== undefined && !NEUTRAL_KEYS.includes(k))
    .map(([k]) => k);

/**
 * How the aggregate tables can count a filter, if they can: the filter selects by cell (run, dataset,
 * category, subcategory, expectation) and by ONE verdict dimension they hold: the verdict under the label
 * source (finalVerdict, labelled), or the chosen judge's verdict (judgeVerdict).
 */
function aggregateCount(filter: BrowseFilter): "source" | "judge" | null {
  const other = otherKeys(filter).filter((k) => !CELL_KEYS.includes(k));
  if (other.length && other.every((k) => k === "finalVerdict" || k === "labelled")) return "source";
  if (other.length === 1 && other[0] === "judgeVerdict") return "judge";
  return null;
}

/** Filters that only select labelled responses by cell and verdict can be counted from the aggregates. */
export function countableFromAggregates(filter: BrowseFilter): boolean {
  return aggregateCount(filter) !== null;
}

/** Sum of the aggregate rows under the filter: O(cells), exact, whatever the number of responses. */
async function countFromAggregates(sql: SqlConnection, filter: BrowseFilter, how: "source" | "judge"): Promise<number> {
  // Rows of the aggregate tables (up to two per cell under `best`): the count is their sum, of one verdict's
  // column or of all four. The judge's own verdicts are JudgeCellCount's columns as they are.
  const [rows, params] = how === "source" ? sourceRowsQuery(sourceOf(filter)) : sourceRowsQuery({ kind: "judge", judgeId: filter.judge ?? "" });
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
  const verdict = how === "source" ? filter.finalVerdict : filter.judgeVerdict;
  const counted = verdict ? `x.${verdictColumn(verdict)}` : VERDICTS.map((v) => `x.${verdictColumn(v)}`).join(" + ");
  const { rows: [row] } = await sql.query<{ n: number }>(`SELECT coalesce(sum(${counted}), 0)::int AS n FROM (${rows}) x ${w.length ? `WHERE ${w.join(" AND ")}` : ""}`, params);
  return Number(row.n);
}

/** Matches of the selection among the first `window` rows of `driver` (a query of response ids in id order, newest first). */
async function countInWindow(sql: SqlConnection, sel: ResponseSelection, driver: (firstParam: number) => [string, unknown[]]): Promise<{ n: number; scanned: number }> {
  const [driverSql, driverParams] = driver(1);
  // The text condition row by row: the window is small, and the index form would collect every match.
  const s = selectionSql(sel, { firstParam: driverParams.length + 1, text: "scan" });
  const { rows: [row] } = await sql.query<{ n: number; scanned: number }>(
    `SELECT count(*) FILTER (WHERE ${s.where})::int AS n, count(*)::int AS scanned
     FROM (${driverSql}) win JOIN "Response" r ON r.id = win.id ${s.joins}`,
    [...driverParams, ...s.params],
  );
  return { n: Number(row.n), scanned: Number(row.scanned) };
}

/** Matches of the selection, counted up to COUNT_CAP + 1 rows. */
async function cappedCount(sql: Pick<SqlConnection, "query">, sel: ResponseSelection, cap: number): Promise<BrowseCount> {
  const s = selectionSql(sel, { text: "index" });
  const { rows: [row] } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM "Response" r ${s.joins} WHERE ${s.where} LIMIT ${Math.floor(cap) + 1}) x`, s.params);
  const n = Number(row.n);
  return n > cap ? { n: cap, capped: true } : { n, capped: false };
}

export interface BrowseCount {
  /** The number of matching responses, or (capped) a number there are at least as many as. */
  n: number;
  capped: boolean;
  /** When capped: what was counted, for the page to say ("among the newest 10,000 responses"). */
  basis?: string;
}

/**
 * Number of responses matching the filter (the cursor is ignored), never slower than a page:
 * - a filter by cell and one verdict (what a Results cell links to): exact, from the aggregate tables;
 * - a text search: counted in the newest TEXT_COUNT_WINDOW rows of the rest of the selection; exact when
 *   that is all of it, or when the term is rare there (then through the trigram indexes, which are fast for
 *   rare terms); otherwise a lower bound: a common term over 1M responses would take seconds to count;
 * - judge ≠ human: counted among the newest DISAGREE_COUNT_WINDOW human final verdicts (each needs a lookup
 *   of the judge's label); exact when there are no more, otherwise a lower bound;
 * - anything else: exact up to COUNT_CAP, "≥ COUNT_CAP" beyond.
 */
export async function countResponses(opened: { db: DbTx; sql: SqlConnection }, filter: BrowseFilter, tuning: BrowseTuning = {}): Promise<BrowseCount> {
  const how = aggregateCount(filter);
  if (how) return { n: await countFromAggregates(opened.sql, filter, how), capped: false };
  const sel = selectionOfBrowse(filter);
  const cap = tuning.countCap ?? COUNT_CAP;
  // One annotator's labels: counted from their index (a scan of responses for the few they labelled would
  // read them all: ~100 ms at 1M).
  if (otherKeys(filter).every((k) => k === "annotator") && sel.annotatorIds) {
    const { rows: [row] } = await opened.sql.query<{ n: number }>(`SELECT count(DISTINCT "responseId")::int AS n FROM "HumanLabel" WHERE "annotatorId" = ANY($1::text[])`, [sel.annotatorIds]);
    return { n: Number(row.n), capped: false };
  }
  if (sel.disagree) {
    const window = tuning.disagreeCountWindow ?? DISAGREE_COUNT_WINDOW;
    const { n, scanned } = await countInWindow(opened.sql, sel, (i) => [`SELECT "responseId" AS id FROM "ResponseHumanFinal" ORDER BY "responseId" DESC LIMIT $${i}`, [window]]);
    if (scanned < window) return { n, capped: false };
    return { n, capped: true, basis: `among the newest ${window.toLocaleString("en-US")} responses with a human final verdict` };
  }
  if (sel.text !== undefined) {
    const window = tuning.textCountWindow ?? TEXT_COUNT_WINDOW;
    const [w, params] = windowSql(sel, true, undefined, `r.text, r."promptId"`, window);
    const { rows: [row] } = await opened.sql.query<{ n: number; scanned: number }>(
      `SELECT count(*) FILTER (WHERE ${textScanSql("w", `$${params.length + 1}`)})::int AS n, count(*)::int AS scanned FROM (${w}) w`,
      [...params, sel.text],
    );
    const n = Number(row.n);
    if (Number(row.scanned) < window) return { n, capped: false };
    const bound: BrowseCount = { n, capped: true, basis: `among the newest ${window.toLocaleString("en-US")} responses of the selection` };
    // Rare in the window (< 1%): few matches overall, so the indexes may count them all quickly; if they
    // cannot within TEXT_COUNT_TIMEOUT_MS (a phrase of common words), the lower bound stands.
    if (n * 100 >= window) return bound;
    const db = opened.db;
    if (!("$transaction" in db)) return cappedCount(opened.sql, sel, cap); // already in a transaction: no timeout of its own
    try {
      return await db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.floor(tuning.textCountTimeoutMs ?? TEXT_COUNT_TIMEOUT_MS)}`);
        const query = async <T>(text: string, p?: unknown[]) => ({ rows: await tx.$queryRawUnsafe<T[]>(text, ...(p ?? [])) });
        return cappedCount({ query }, sel, cap);
      });
    } catch (err) {
      if (/57014|statement timeout/.test(`${(err as { code?: string }).code ?? ""} ${(err as Error).message}`)) return bound;
      throw err;
    }
  }
  return cappedCount(opened.sql, sel, cap);
}

/** The exact count by a plain query (tests compare every path with it; jobs count their selection). */
export async function countResponsesExactly(db: Raw, filter: BrowseFilter): Promise<number> {
  const s = selectionSql(selectionOfBrowse(filter), { text: "index" });
  const [row] = await raw<{ n: number }>(db, `SELECT count(*)::int AS n FROM "Response" r ${s.joins} WHERE ${s.where}`, s.params);
  return Number(row.n);
}

export interface BrowseOptions {
  datasets: { id: string; name: string }[];
  runs: { id: string; label: string }[];
  categories: { slug: string; name: string; subcategories: { id: string; name: string }[] }[];
  judges: { id: string; label: string }[];
  annotators: { id: string; name: string }[];
}

/** Options for the filter form, as one JSON document from one statement (one round trip). */
export async function getBrowseOptions(db: Raw): Promise<BrowseOptions> {
  const [row] = await raw<{ doc: string }>(
    db,
    `SELECT json_build_object(
       'datasets', (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name) ORDER BY "createdAt"), '[]') FROM "Dataset"),
       'runs', (SELECT coalesce(json_agg(json_build_object('id', r.id, 'label', m.name || ' · ' || r.name) ORDER BY m.name, r.name), '[]')
                FROM "Run" r JOIN "Model" m ON m.id = r."modelId"),
       'categories', (SELECT coalesce(json_agg(json_build_object('slug', c.slug, 'name', c.name, 'subcategories', (
           SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name) ORDER BY s."sortOrder"), '[]')
           FROM "Subcategory" s WHERE s."categoryId" = c.id)) ORDER BY c."sortOrder"), '[]') FROM "Category" c),
       'judges', (SELECT coalesce(json_agg(json_build_object('id', id, 'label', name || ' v' || version) ORDER BY "createdAt" DESC), '[]') FROM "Judge"),
       'annotators', (SELECT coalesce(json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.name), '[]') FROM "User" u
                      WHERE EXISTS (SELECT 1 FROM "HumanLabel" h WHERE h."annotatorId" = u.id))
     )::text AS doc`,
    [],
  );
  return JSON.parse(row.doc) as BrowseOptions;
}
