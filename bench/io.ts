// Import and export at 1,000,000 responses, each next to PostgreSQL's own bulk path measured in the same run:
//
//   CSV export of N rows (lib/exports, as scripts/export.ts runs it)   vs  COPY (the same query) TO STDOUT
//   import of that file (lib/imports, the full path: both passes,      vs  COPY of the same rows into the same
//     validation included, into an empty database)                          tables of an empty database
//   peak RSS of the export and of the import (each in its own process, read from process.resourceUsage())
//
//   const lines = await benchImportExport({ rows: 1_000_000 });   // what bench/run.ts calls
//   npx tsx bench/io.ts [--rows=N] [--keep]                         // the same, printed on its own
//
// Data: the bench corpus (BENCH_DATABASE_URL, npm run bench:seed -- --responses 1000000). The export's output is
// the import's input, so the import handles what a user round-tripping Abstain's CSV would: 1M responses, one
// judge label each, the human labels (one label and one note column per annotator) and the adjudications.
//
// The import baseline: the rows our import stored are dumped (COPY TO, not timed) and loaded into a second empty
// database of the same schema with one COPY per table, in foreign-key order, in one transaction, each table
// ANALYZEd after its COPY and with the import's work_mem (see copyTables). Both databases
// get the corpus taxonomy first (the import requires it; not timed), both keep every index and trigger (the
// label tables' aggregate triggers fire on both sides). Both scratch databases (abstain_bench_io_<pid>_*) are
// dropped at the end.
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openDb } from "../lib/db";
import { rowsSql } from "../lib/exports/data";
import { env } from "../lib/env";

export interface IoBenchOptions {
  /** The bench corpus (default BENCH_DATABASE_URL). */
  url?: string;
  /** Rows exported, and so responses imported (default 1,000,000). */
  rows?: number;
  /** Where the exported file and the table dumps go (default a fresh directory under the OS temp dir, removed after). */
  dir?: string;
  /** Keep the scratch databases and files (to look at them); they are dropped by default. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface IoBenchLine {
  what: string;
  ours: number;
  baseline: number;
  target: string;
  ok: boolean;
}

/** The limits of issue #3. */
export const IO_TARGETS = { importRatio: 2, exportRatio: 2, exportRssMb: 300, importRssMb: 300 } as const;

/** Tables an import writes, in foreign-key order (derived tables are maintained by triggers, not loaded). */
export const IMPORTED_TABLES = ["User", "Dataset", "Model", "Run", "Judge", "Prompt", "Response", "JudgeLabel", "HumanLabel", "HumanLabelRevision", "Adjudication", "AuditLog"] as const;

/**
 * What a CSV export selects, as ONE query: lib/exports/data.ts rowsSql over every response in id order (the
 * export runs it page by page; judge = each response's newest label, as when no judge is chosen). The CSV
 * columns that the export derives in JavaScript (human_consensus, final_verdict) are not computed here, so the
 * baseline does slightly less work than the export.
 */
export function exportBaselineSql(limit: number): string {
  const page = `SELECT id, "runId", "promptId", text, "createdAt" FROM "Response" ORDER BY id LIMIT ${Math.floor(limit)}`;
  return rowsSql(page, null, "page.id", { materialized: false });
}

// ------------------------------------------------------------------------------------------------ helpers

const withDb = (base: string, name: string) => {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
};

async function onClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** A fresh database with the app's schema (migrations) and the corpus taxonomy. */
export async function createScratch(corpusUrl: string, name: string): Promise<string> {
  await onClient(corpusUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  const url = withDb(corpusUrl, name);
  const opened = await openDb({ url });
  await opened.close();
  await onClient(corpusUrl, (src) =>
    onClient(url, async (dst) => {
      for (const table of ["Category", "Subcategory"]) {
        await pipeline(src.query(copyTo(`COPY "${table}" TO STDOUT`)), dst.query(copyFrom(`COPY "${table}" FROM STDIN`)));
      }
      await dst.query(`ANALYZE "Category", "Subcategory"`);
    }),
  );
  return url;
}

export async function dropScratch(corpusUrl: string, name: string) {
  await onClient(corpusUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => {});
}

/** A clean start for each timed step: dirty pages written now are not charged to the next step. */
const checkpoint = (url: string) => onClient(url, (c) => c.query("CHECKPOINT"));

/**
 * CPU time of the database server's work for one database: every backend connected to it is sampled from
 * /proc/<pid>/stat every 200 ms while `fn` runs. Wall-clock ratios on a shared machine move with other
 * processes' load; CPU time barely does, so it is printed next to them. Null when the server's processes are
 * not visible (PostgreSQL on another machine or in another container).
 */
async function serverCpu<T>(corpusUrl: string, database: string, fn: () => Promise<T>): Promise<{ result: T; cpuMs: number | null }> {
  const ticks = (pid: number): number | null => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in clock ticks of 10 ms (USER_HZ = 100)
    } catch {
      return null;
    }
  };
  const seen = new Map<number, number>();
  let visible = true;
  let stop = false;
  const sampler = onClient(corpusUrl, async (c) => {
    while (!stop) {
      const { rows } = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
      for (const { pid } of rows) {
        const t = ticks(pid);
        if (t === null) visible = false;
        else seen.set(pid, t);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  let result: T;
  try {
    result = await fn();
  } finally {
    stop = true;
    await sampler.catch(() => {});
  }
  return { result, cpuMs: visible && seen.size ? [...seen.values()].reduce((a, b) => a + b, 0) : null };
}

interface ChildResult {
  ms: number;
  /** The child's own CPU time (user + system) during the work. */
  cpuMs: number;
  maxRssKb: number;
  baseRssKb: number;
  rows: number;
  [k: string]: unknown;
}

/** Runs bench/io-child.ts; its last stdout line is its JSON result. */
function runChild(args: string[], log: (line: string) => void): Promise<ChildResult> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "io-child.ts"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => {
      err += b;
      for (const l of String(b).split("\n")) if (l.trim()) log(`    ${l}`);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`bench/io-child.ts ${args[0]} exited with ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`bench/io-child.ts ${args[0]}: no result (${last.slice(0, 200)})`));
      }
    });
  });
}

const mb = (kb: number) => kb / 1024;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The baseline load: one COPY per table in foreign-key order, in one transaction (an import is all-or-nothing
 * too), each followed by ANALYZE, with the import's work_mem. Without the ANALYZE the label tables' row triggers are planned for the empty
 * tables they started from, and the load takes 4× longer (measured at 1M: 254 s); the import refreshes its
 * statistics the same way, so the baseline gets the same help. Returns the wall time in ms.
 */
export async function copyTables(url: string, dir: string, log: (line: string) => void = () => {}): Promise<number> {
  return onClient(url, async (c) => {
    const started = performance.now();
    const parts: string[] = [];
    // The import's own session setting (lib/imports/data.ts), which also sizes GIN pending-list cleanups and the
    // label triggers' sorts: the baseline gets whatever helps the import.
    await c.query("SET work_mem = '64MB'");
    await c.query("BEGIN");
    for (const table of IMPORTED_TABLES) {
      const t = performance.now();
      await pipeline(createReadStream(path.join(dir, `${table}.copy`), { highWaterMark: 1024 * 1024 }), c.query(copyFrom(`COPY "${table}" FROM STDIN`)));
      await c.query(`ANALYZE "${table}"`);
      parts.push(`${table} ${secs(performance.now() - t)}`);
    }
    await c.query("COMMIT");
    log(`io: COPY by table: ${parts.join(", ")}`);
    return performance.now() - started;
  });
}


// ------------------------------------------------------------------------------------------------- bench

export async function benchImportExport(opts: IoBenchOptions = {}): Promise<IoBenchLine[]> {
  const corpusUrl = opts.url ?? env().BENCH_DATABASE_URL;
  const rows = opts.rows ?? 1_000_000;
  const log = opts.log ?? ((l: string) => console.error(l));
  const dir = opts.dir ?? path.join(tmpdir(), `abstain-bench-io-${process.pid}`);
  const files = [path.join(dir, "export.csv"), path.join(dir, "copy-export.csv"), ...IMPORTED_TABLES.map((t) => path.join(dir, `${t}.copy`))];
  const n = rows.toLocaleString("en");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "export.csv");
  const names = { ours: `abstain_bench_io_${process.pid}_import`, copy: `abstain_bench_io_${process.pid}_copy` };
  const lines: IoBenchLine[] = [];
  try {
    const available = await onClient(corpusUrl, async (c) => Number((await c.query(`SELECT count(*)::int AS n FROM "Response"`)).rows[0].n));
    if (available < rows) throw new Error(`the bench corpus at ${corpusUrl} has ${available.toLocaleString("en")} responses, fewer than ${n}`);

    // ---- export: ours, then COPY of the same query, both into a file in the same directory.
    log(`io: CSV export of ${n} rows`);
    await checkpoint(corpusUrl);
    const ex = await runChild(["export", file, corpusUrl, String(rows)], log);
    if (ex.rows !== rows) throw new Error(`the export wrote ${ex.rows} rows, expected ${rows}`);
    const bytes = (await stat(file)).size;
    const copyFile = path.join(dir, "copy-export.csv");
    let copyExportMs = 0;
    await onClient(corpusUrl, async (c) => {
      const t = performance.now();
      await pipeline(c.query(copyTo(`COPY (${exportBaselineSql(rows)}) TO STDOUT WITH (FORMAT csv, HEADER)`)), createWriteStream(copyFile));
      copyExportMs = performance.now() - t;
    });
    await rm(copyFile, { force: true });
    log(`io: export ${secs(ex.ms)}, COPY TO ${secs(copyExportMs)}, ${(bytes / 1024 ** 2).toFixed(0)} MB, peak RSS ${mb(ex.maxRssKb).toFixed(0)} MB`);
    lines.push({
      what: `CSV export, ${n} rows (${(bytes / 1024 ** 2).toFixed(0)} MB) vs COPY (same query) TO STDOUT`,
      ours: ex.ms,
      baseline: copyExportMs,
      target: `≤ ${IO_TARGETS.exportRatio}× baseline`,
      ok: ex.ms <= IO_TARGETS.exportRatio * copyExportMs,
    });
    lines.push({
      what: `CSV export, ${n} rows: peak RSS in MB (baseline: the same process before exporting)`,
      ours: mb(ex.maxRssKb),
      baseline: mb(ex.baseRssKb),
      target: `< ${IO_TARGETS.exportRssMb} MB`,
      ok: mb(ex.maxRssKb) < IO_TARGETS.exportRssMb,
    });

    // ---- import: ours into an empty database.
    log(`io: import of ${n} responses into an empty database`);
    const oursUrl = await createScratch(corpusUrl, names.ours);
    await checkpoint(oursUrl);
    const { result: im, cpuMs: oursServerCpu } = await serverCpu(corpusUrl, names.ours, () => runChild(["import", file, oursUrl], log));
    log(`io: import ${secs(im.ms)} (validate ${secs(Number(im.validateMs))}, write ${secs(Number(im.writeMs))}), peak RSS ${mb(im.maxRssKb).toFixed(0)} MB`);

    // ---- baseline: the same rows, dumped from ours, COPYed into a second empty database.
    const counts: Record<string, number> = {};
    await onClient(oursUrl, async (c) => {
      for (const table of IMPORTED_TABLES) {
        await pipeline(c.query(copyTo(`COPY "${table}" TO STDOUT`)), createWriteStream(path.join(dir, `${table}.copy`)));
        counts[table] = Number((await c.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n);
      }
    });
    if (!opts.keep) await dropScratch(corpusUrl, names.ours);
    const copyUrl = await createScratch(corpusUrl, names.copy);
    await checkpoint(copyUrl);
    const { result: copyImportMs, cpuMs: copyServerCpu } = await serverCpu(corpusUrl, names.copy, () => copyTables(copyUrl, dir, log));
    const what = `${counts.Prompt.toLocaleString("en")} prompts, ${counts.Response.toLocaleString("en")} responses, ${counts.JudgeLabel.toLocaleString("en")} judge labels, ${counts.HumanLabel.toLocaleString("en")} human labels, ${counts.Adjudication.toLocaleString("en")} adjudications`;
    log(`io: COPY of the same rows ${secs(copyImportMs)} (${what})`);
    const cpu =
      oursServerCpu === null || copyServerCpu === null
        ? ""
        : `; CPU: ours ${secs(im.cpuMs + oursServerCpu)} (import process ${secs(im.cpuMs)}, database ${secs(oursServerCpu)}), COPY ${secs(copyServerCpu)}`;
    log(cpu ? `io: ${cpu.slice(2)}` : "io: CPU time not measured (the database's processes are not visible here)");
    lines.push({
      what: `Import, ${n} responses (${what}) vs COPY of the same rows${cpu}`,
      ours: im.ms,
      baseline: copyImportMs,
      target: `≤ ${IO_TARGETS.importRatio}× baseline`,
      ok: im.ms <= IO_TARGETS.importRatio * copyImportMs,
    });
    lines.push({
      what: `Import, ${n} responses: peak RSS in MB (baseline: the same process before importing; ${im.progressEvents} progress reports)`,
      ours: mb(im.maxRssKb),
      baseline: mb(im.baseRssKb),
      target: `< ${IO_TARGETS.importRssMb} MB`,
      ok: mb(im.maxRssKb) < IO_TARGETS.importRssMb,
    });
  } finally {
    if (!opts.keep) {
      await dropScratch(corpusUrl, names.ours);
      await dropScratch(corpusUrl, names.copy);
      for (const f of files) await rm(f, { force: true });
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    }
  }
  return lines;
}

// npx tsx bench/io.ts [--rows=N] [--keep]
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const lines = await benchImportExport({ rows: arg("rows") ? Number(arg("rows")) : undefined, keep: process.argv.includes("--keep") });
  for (const l of lines) {
    const unit = l.what.includes("RSS") ? (x: number) => `${x.toFixed(0)} MB` : (x: number) => `${(x / 1000).toFixed(1)} s`;
    const ratio = l.what.includes("RSS") ? "" : ` (${(l.ours / l.baseline).toFixed(2)}×)`;
    console.log(`${l.what}\n  ours ${unit(l.ours)}, baseline ${unit(l.baseline)}${ratio}, target ${l.target}: ${l.ok ? "ok" : "MISSED"}`);
  }
  process.exit(lines.every((l) => l.ok) ? 0 : 1);
}
