// npm run bench: performance targets, each printed next to a baseline measured in the same run on the
// same data (never a timed unit test). Needs the bench corpora (npm run bench:seed):
//   BENCH_DATABASE_URL (default …/abstain_bench)          1,000,000 responses: npm run bench:seed -- --responses 1000000
//   BENCH_SMALL_DATABASE_URL (default …/abstain_bench_100k) 100,000 responses with the same 725 runs:
//       npm run bench:seed -- --responses 100000 --prompts 138 --url postgresql://postgres@127.0.0.1:5432/abstain_bench_100k
// Exits 1 when a target is missed.
import pg from "pg";
import { openDb, type OpenedDb } from "../lib/db";
import { env } from "../lib/env";
import { listResponses, countResponses } from "../lib/browse/data";
import type { BrowseFilter } from "../lib/browse/schema";
import { buildTable } from "../lib/results/build";
import { fetchCellCounts, getResultsContext } from "../lib/results/data";
import type { LabelSource } from "../lib/results/schema";
import { median, timeMedian } from "./stats";

const SMALL_URL = process.argv.find((a) => a.startsWith("--small="))?.slice(8) ?? "postgresql://postgres@127.0.0.1:5432/abstain_bench_100k";
const LARGE_URL = env().BENCH_DATABASE_URL;

interface Line {
  what: string;
  ours: number;
  baseline: number;
  target: string;
  ok: boolean;
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
    lines.push({
      what: `Results, all runs, best available (${name}, ${n.toLocaleString("en")} run entries): context ${ms(parts.context)}, cells ${ms(parts.cells)}, tables ${ms(parts.tables)}`,
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
async function benchBrowse(o: OpenedDb) {
  const judgeId = await newestJudge(o);
  const one = async (sql: string) => (await o.sql.query<Record<string, string>>(sql)).rows[0];
  const run = (await one(`SELECT id FROM "Run" ORDER BY id LIMIT 1 OFFSET 10`)).id;
  const sub = (await one(`SELECT id FROM "Subcategory" ORDER BY id LIMIT 1 OFFSET 3`)).id;
  const cat = (await one(`SELECT slug FROM "Category" ORDER BY slug LIMIT 1`)).slug;
  const base: BrowseFilter = { source: "best", judge: judgeId };
  const filters: [string, BrowseFilter][] = [
    ["no filter", {}],
    ["run", { run }],
    ["category", { category: cat }],
    ["subcategory", { subcategory: sub }],
    ["expectation", { expectation: "should_comply" }],
    ["judge verdict = partial", { judgeVerdict: "partial" }],
    ["final verdict = complied", { finalVerdict: "complied" }],
    ["judge ≠ human", { disagree: "1" }],
    ["text search", { q: "refuse" }],
  ];
  for (const [name, f] of filters) {
    const filter = { ...base, ...f };
    // Deep page: follow the cursor 40 pages (2,000 rows) in, then time that page.
    let deep: string | undefined;
    for (let i = 0; i < 40; i++) {
      const p = await listResponses(o.db, { ...filter, after: deep });
      if (!p.nextCursor) break;
      deep = p.nextCursor;
    }
    const first = await timeMedian(() => listResponses(o.db, filter), 15);
    const deepT = deep ? await timeMedian(() => listResponses(o.db, { ...filter, after: deep }), 15) : first;
    const count = await timeMedian(() => countResponses(o, filter), 5, 1);
    // Baseline: the plain way to show page 41, OFFSET pagination over the same joins.
    const plain = await timeMedian(
      () =>
        o.sql.query(
          `SELECT r.id, p.text, r.text FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
           JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"
           LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = $1
           LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = r.id
           ${plainWhere(f)} ORDER BY r.id DESC OFFSET 2000 LIMIT 50`,
          [judgeId],
        ),
      5,
      1,
    );
    // The page shows rows and the count, fetched in parallel: it is as slow as the slower of the two.
    const worst = Math.max(first, deepT, count);
    lines.push({ what: `Browse page (1M), ${name}: first ${first.toFixed(1)} ms, page 41 ${deepT.toFixed(1)} ms, count ${count.toFixed(0)} ms`, ours: worst, baseline: plain, target: "median ≤ 150 ms", ok: worst <= 150 });
  }
}

function plainWhere(f: BrowseFilter): string {
  const esc = (s: string) => s.replace(/'/g, "''");
  const w: string[] = [];
  if (f.run) w.push(`r."runId" = '${esc(f.run)}'`);
  if (f.category) w.push(`c.slug = '${esc(f.category)}'`);
  if (f.subcategory) w.push(`p."subcategoryId" = '${esc(f.subcategory)}'`);
  if (f.expectation) w.push(`p.expectation = '${f.expectation}'`);
  if (f.judgeVerdict) w.push(`jl.verdict = '${f.judgeVerdict}'`);
  if (f.finalVerdict) w.push(`COALESCE(f.verdict::text, jl.verdict::text) = '${f.finalVerdict}'`);
  if (f.disagree) w.push(`jl.verdict <> f.verdict`);
  if (f.q) w.push(`(p.text ILIKE '%${esc(f.q)}%' OR r.text ILIKE '%${esc(f.q)}%')`);
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
    await benchResults(small, large);
    await benchBrowse(large);
  } finally {
    await small.close();
    await large.close();
  }
  const w = Math.max(...lines.map((l) => l.what.length));
  console.log(`\n${"benchmark".padEnd(w)}  ${"ours".padStart(9)}  ${"baseline".padStart(9)}  ${"target".padEnd(36)} result`);
  for (const l of lines) {
    const fmt = (x: number) => (l.what.includes("growth") ? `${x.toFixed(2)}×` : `${x.toFixed(1)} ms`).padStart(9);
    console.log(`${l.what.padEnd(w)}  ${fmt(l.ours)}  ${fmt(l.baseline)}  ${l.target.padEnd(36)} ${l.ok ? "ok" : "MISSED"}`);
  }
  const missed = lines.filter((l) => !l.ok).length;
  console.log(missed ? `\n${missed} target(s) missed.` : "\nAll targets met.");
  process.exit(missed ? 1 : 0);
}

await main();
