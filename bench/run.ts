// npm run bench: performance targets, each printed next to a baseline measured in the same run on the
// same data (never a timed unit test). Needs the bench corpora (npm run bench:seed):
//   BENCH_DATABASE_URL (default …/abstain_bench)          1,000,000 responses: npm run bench:seed -- --responses 1000000
//   BENCH_SMALL_DATABASE_URL (default …/abstain_bench_100k) 100,000 responses with the same 725 runs:
//       npm run bench:seed -- --responses 100000 --prompts 138 --url postgresql://postgres@127.0.0.1:5432/abstain_bench_100k
// Exits 1 when a target is missed.
import pg from "pg";
import { openDb, type OpenedDb } from "../lib/db";
import { env } from "../lib/env";
import { countResponses, getBrowsePage, listResponses } from "../lib/browse/data";
import type { BrowseFilter } from "../lib/browse/schema";
import { buildTable } from "../lib/results/build";
import { fetchCellCounts, getResultsContext } from "../lib/results/data";
import type { LabelSource } from "../lib/results/schema";
import { benchImportExport } from "./io";
import { benchJudging } from "./judge";
import { median, timeMedian } from "./stats";

const SMALL_URL = process.argv.find((a) => a.startsWith("--small="))?.slice(8) ?? "postgresql://postgres@127.0.0.1:5432/abstain_bench_100k";
const LARGE_URL = env().BENCH_DATABASE_URL;
/** --only=results, --only=browse, --only=judge or --only=io runs one part. */
const ONLY = process.argv.find((a) => a.startsWith("--only="))?.slice(7);

interface Line {
  what: string;
  ours: number;
  baseline: number;
  target: string;
  ok: boolean;
  /** How the figures read (default: milliseconds). */
  unit?: "ms" | "/s" | "×" | "MB" | "s";
}
const lines: Line[] = [];

async function exists(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM "Response"`);
    return rows[0].n > 0;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function newestJudge(o: OpenedDb): Promise<string> {
  const { rows } = await o.sql.query<{ id: string }>(`SELECT id FROM "Judge" ORDER BY version DESC LIMIT 1`);
  return rows[0].id;
}

// ---------------------------------------------------------------- Results
// What the page does per request, in its order; `parts` collects each step's time, so the report shows
// where the time goes (context query, count cells, the three tables in JS).
type Parts = { context: number[]; cells: number[]; tables: number[] };
async function resultsOnce(o: OpenedDb, source: LabelSource, parts?: Parts) {
  let t = performance.now();
  const lap = (into?: number[]) => {
    const now = performance.now();
    into?.push(now - t);
    t = now;
  };
  const ctx = await getResultsContext(o.sql);
  lap(parts?.context);
  const cells = await fetchCellCounts(o.sql, source);
  lap(parts?.cells);
  const runIds = ctx.runs.map((r) => r.id);
  buildTable(cells, ctx, runIds, "should_not_comply", "category");
  buildTable(cells, ctx, runIds, "should_not_comply", "subcategory");
  buildTable(cells, ctx, runIds, "should_comply", "subcategory");
  lap(parts?.tables);
  return cells.groups.reduce((n, g) => n + g.runs.length, 0);
}

// The same numbers by plain SQL over the label tables (what Results would cost without aggregates).
const PLAIN_RESULTS = `
  WITH hf AS (
    SELECT a."responseId", a.verdict::text AS verdict FROM "Adjudication" a
    UNION ALL
    SELECT x."responseId", x.verdict::text FROM (
      SELECT h."responseId", h.verdict, count(*) AS n, sum(count(*)) OVER (PARTITION BY h."responseId") AS total
      FROM "HumanLabel" h GROUP BY h."responseId", h.verdict) x
    WHERE x.n * 2 > x.total AND NOT EXISTS (SELECT 1 FROM "Adjudication" a WHERE a."responseId" = x."responseId"))
  SELECT r."runId", p."datasetId", p."subcategoryId", p.expectation, COALESCE(hf.verdict, jl.verdict::text) AS v, count(*)
  FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
  LEFT JOIN hf ON hf."responseId" = r.id
  LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = $1
  WHERE COALESCE(hf.verdict, jl.verdict::text) IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5`;

async function benchResults(small: OpenedDb, large: OpenedDb) {
  const res: Record<string, { ours: number; plain: number }> = {};
  for (const [name, o] of [["100k", small], ["1M", large]] as const) {
    const judgeId = await newestJudge(o);
    const source: LabelSource = { kind: "best", judgeId };
    const parts: Parts = { context: [], cells: [], tables: [] };
    let n = 0;
    const ours = await timeMedian(async () => (n = await resultsOnce(o, source, parts)), 25);
    const plain = await timeMedian(() => o.sql.query(PLAIN_RESULTS, [judgeId]), 3, 1);
    res[name] = { ours, plain };
    const ms = (xs: number[]) => `${median(xs.slice(2)).toFixed(0)} ms`; // without timeMedian's 2 warm-up runs
    // Dead rows in the count tables (every label write updates one; without autovacuum they pile up and the
    // read slows down: measured 160 MB and ~50 ms instead of 4 MB and ~20 ms at 100k). Shown, not hidden.
    const { rows: [bloat] } = await o.sql.query<{ dead: number; live: number }>(
      `SELECT coalesce(sum(n_dead_tup), 0)::int AS dead, coalesce(sum(n_live_tup), 0)::int AS live FROM pg_stat_user_tables WHERE relname IN ('JudgeCellCount', 'HumanCellCount')`,
    );
    const dead = bloat.dead > bloat.live ? `; count tables hold ${bloat.dead.toLocaleString("en")} dead rows, VACUUM them` : "";
    lines.push({
      what: `Results, all runs, best available (${name}, ${n.toLocaleString("en")} run entries): context ${ms(parts.context)}, cells ${ms(parts.cells)}, tables ${ms(parts.tables)}${dead}`,
      ours,
      baseline: plain,
      target: "median ≤ 100 ms",
      ok: ours <= 100,
    });
  }
  const growth = res["1M"].ours / res["100k"].ours;
  lines.push({
    what: "Results cost growth 100k → 1M responses (same 725 runs)",
    ours: growth,
    baseline: res["1M"].plain / res["100k"].plain,
    target: "ratio ≤ 1.5 (flat); baseline ratio shown",
    ok: growth <= 1.5,
  });
}

// ---------------------------------------------------------------- Browse
// The page (lib/browse/data.ts getBrowsePage) reads the filter form's options, the 50 rows and the count it
// shows. Rows and count are timed alone (parts; "count" is countResponses, which a text search's first page
// may not need), and the page as it runs them (first page, and page 41: 40 cursor steps, 2,000 rows in). The baseline is the plain way to show page 41: OFFSET pagination over the joins, with an exact count(*),
// the two in parallel as well.
async function benchBrowse(o: OpenedDb) {
  const judgeId = await newestJudge(o);
  const one = async (sql: string) => (await o.sql.query<Record<string, string>>(sql)).rows[0];
  const run = (await one(`SELECT id FROM "Run" ORDER BY id LIMIT 1 OFFSET 10`)).id;
  const sub = (await one(`SELECT id FROM "Subcategory" ORDER BY id LIMIT 1 OFFSET 3`)).id;
  const cat = (await one(`SELECT slug FROM "Category" ORDER BY slug LIMIT 1`)).slug;
  const dataset = (await one(`SELECT id FROM "Dataset" ORDER BY "createdAt" LIMIT 1`)).id;
  const annotator = (await one(`SELECT "annotatorId" AS id FROM "HumanLabel" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)).id;
  const base: BrowseFilter = { source: "best", judge: judgeId };
  // Text terms by how often they occur in the corpus (bench/corpus.ts), from everywhere to nowhere.
  const filters: [string, BrowseFilter][] = [
    ["no filter", {}],
    ["no filter, oldest first", { sort: "oldest" }],
    ["dataset", { dataset }],
    ["run", { run }],
    ["category", { category: cat }],
    ["subcategory", { subcategory: sub }],
    ["expectation", { expectation: "should_comply" }],
    ["judge verdict = partial", { judgeVerdict: "partial" }],
    ["human verdict = partial", { humanVerdict: "partial" }],
    ["final verdict = complied", { finalVerdict: "complied" }],
    ["labelled", { labelled: "1" }],
    ["judge ≠ human", { disagree: "1" }],
    ["annotator", { annotator }],
    ['text "help" (~28% of responses)', { q: "help" }],
    ['text "sorry" (~8%), oldest first', { q: "sorry", sort: "oldest" }],
    ['text "Westphalia" (~6%, prompts)', { q: "Westphalia" }],
    ['text "cutoff date. My" (~1%)', { q: "cutoff date. My" }],
    ['text "really. My" (~0.1%)', { q: "really. My" }],
    ['text "refuse" (none)', { q: "refuse" }],
  ];
  for (const [name, f] of filters) {
    const filter = { ...base, ...f };
    let deep: string | undefined;
    for (let i = 0; i < 40; i++) {
      const p = await listResponses(o.db, { ...filter, after: deep });
      if (!p.nextCursor) break;
      deep = p.nextCursor;
    }
    const deepFilter = deep ? { ...filter, after: deep } : filter;
    const page = (f: BrowseFilter) => getBrowsePage(o, f);
    const first = await timeMedian(() => page(filter), 11);
    const deepT = await timeMedian(() => page(deepFilter), 11);
    const rows = await timeMedian(() => listResponses(o.db, filter), 5);
    const rowsDeep = await timeMedian(() => listResponses(o.db, deepFilter), 5);
    const count = await timeMedian(() => countResponses(o, filter), 5);
    const { total } = await page(filter);
    const shown = `${total.capped ? "≥ " : ""}${total.n.toLocaleString("en")}`;
    const plainFrom = `FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
           JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"
           LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = $1
           LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = r.id ${plainWhere(f)}`;
    let plainCount = 0;
    const plain = await timeMedian(
      () =>
        Promise.all([
          o.sql.query(`SELECT r.id, p.text, r.text ${plainFrom} ORDER BY r.id ${f.sort === "oldest" ? "ASC" : "DESC"} OFFSET 2000 LIMIT 50`, [judgeId]),
          o.sql.query<{ n: number }>(`SELECT count(*)::int AS n ${plainFrom}`, [judgeId]).then((r) => (plainCount = r.rows[0].n)),
        ]),
      3,
      1,
    );
    const worst = Math.max(first, deepT);
    lines.push({
      what: `Browse page (1M), ${name}: page 1 ${first.toFixed(0)} ms, page 41 ${deepT.toFixed(0)} ms (rows ${rows.toFixed(0)}/${rowsDeep.toFixed(0)} ms, count ${count.toFixed(0)} ms: ${shown} of ${plainCount.toLocaleString("en")})`,
      ours: worst,
      baseline: plain,
      target: "median ≤ 150 ms",
      ok: worst <= 150,
    });
  }
}

/** The filter by hand, values inlined (bench-only, the values are ours), over the joins of the baseline. */
function plainWhere(f: BrowseFilter): string {
  const esc = (s: string) => s.replace(/'/g, "''");
  const like = (s: string) => `'%${esc(s.replace(/[\\%_]/g, (ch) => `\\${ch}`))}%'`;
  const w: string[] = [];
  const final = `COALESCE(f.verdict::text, jl.verdict::text)`;
  if (f.dataset) w.push(`p."datasetId" = '${esc(f.dataset)}'`);
  if (f.run) w.push(`r."runId" = '${esc(f.run)}'`);
  if (f.category) w.push(`c.slug = '${esc(f.category)}'`);
  if (f.subcategory) w.push(`p."subcategoryId" = '${esc(f.subcategory)}'`);
  if (f.expectation) w.push(`p.expectation = '${f.expectation}'`);
  if (f.judgeVerdict) w.push(`jl.verdict = '${f.judgeVerdict}'`);
  if (f.humanVerdict) w.push(`r.id IN (SELECT "responseId" FROM "HumanLabel" WHERE verdict = '${f.humanVerdict}')`);
  if (f.finalVerdict) w.push(`${final} = '${f.finalVerdict}'`);
  if (f.labelled) w.push(`${final} IS NOT NULL`);
  if (f.disagree) w.push(`jl.verdict <> f.verdict`);
  if (f.annotator) w.push(`r.id IN (SELECT "responseId" FROM "HumanLabel" WHERE "annotatorId" = '${esc(f.annotator)}')`);
  if (f.q) w.push(`(p.text ILIKE ${like(f.q)} OR r.text ILIKE ${like(f.q)})`);
  return w.length ? `WHERE ${w.join(" AND ")}` : "";
}

// ---------------------------------------------------------------- main
async function main() {
  for (const [url, how] of [
    [SMALL_URL, "npm run bench:seed -- --responses 100000 --prompts 138 --url " + SMALL_URL],
    [LARGE_URL, "npm run bench:seed -- --responses 1000000"],
  ]) {
    if (!(await exists(url))) {
      console.error(`bench: no corpus at ${url}. Create it with: ${how}`);
      process.exit(2);
    }
  }
  const small = await openDb({ url: SMALL_URL });
  const large = await openDb({ url: LARGE_URL });
  try {
    if (!ONLY || ONLY === "results") await benchResults(small, large);
    if (!ONLY || ONLY === "browse") await benchBrowse(large);
  } finally {
    await small.close();
    await large.close();
  }
  if (!ONLY || ONLY === "judge") for (const l of await benchJudging(SMALL_URL)) lines.push({ ...l, unit: "/s" });
  if (!ONLY || ONLY === "io") {
    for (const l of await benchImportExport({ url: LARGE_URL, log: (line) => console.log(line) })) lines.push({ ...l, unit: /RSS/.test(l.what) ? "MB" : "ms" });
  }
  const w = Math.max(...lines.map((l) => l.what.length));
  console.log(`\n${"benchmark".padEnd(w)}  ${"ours".padStart(9)}  ${"baseline".padStart(9)}  ${"target".padEnd(36)} result`);
  for (const l of lines) {
    const unit = l.unit ?? (l.what.includes("growth") ? "×" : "ms");
    const fmt = (x: number) =>
      (unit === "×" ? `${x.toFixed(2)}×` : unit === "/s" ? `${Math.round(x).toLocaleString("en-US")}/s` : unit === "ms" ? `${x.toFixed(1)} ms` : `${x.toFixed(1)} ${unit}`).padStart(9);
    console.log(`${l.what.padEnd(w)}  ${fmt(l.ours)}  ${fmt(l.baseline)}  ${l.target.padEnd(36)} ${l.ok ? "ok" : "MISSED"}`);
  }
  const missed = lines.filter((l) => !l.ok).length;
  console.log(missed ? `\n${missed} target(s) missed.` : "\nAll targets met.");
  process.exit(missed ? 1 : 0);
}

await main();
