// npm run bench:seed -- --responses N [--seed S] [--url postgresql://…] [--fresh] [--prompts P] [--models M]
//
// Fills a separate benchmark database with a synthetic CoCoNot-shaped corpus (bench/corpus.ts), streamed through
// COPY FROM STDIN with backpressure, so memory stays flat at any size. Never the app's database: the target must
// differ from DATABASE_URL, a database holding non-bench datasets is refused, and --fresh drops only a bench corpus.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { coconotRecordSchema, parseJsonl } from "../lib/datasets/coconot";
import { openDb } from "../lib/db";
import { COCONOT_DIR } from "../lib/demo/seed";
import { rubricFileSchema } from "../lib/taxonomy/schema";
import { env } from "../lib/env";
import { BENCH_DATASETS, copyLine, countStrata, planCorpus, TABLES, type Cell, type Stratum } from "./corpus";

const ROW_TRIGGER_TABLES = new Set(["HumanLabel", "Adjudication"]);

export const DEFAULT_BENCH_URL = "postgresql://postgres@127.0.0.1:5432/abstain_bench";

export interface SeedOptions {
  url: string;
  responses: number;
  seed?: number;
  prompts?: number;
  models?: number;
  /** Drop and recreate a database that holds a bench corpus. Without it such a database is an error. */
  fresh?: boolean;
  log?: (line: string) => void;
}

export interface SeedSummary {
  database: string;
  counts: Record<string, number>;
  loadSeconds: number;
  totalSeconds: number;
}

/** Reads the (category, subcategory, expectation) strata and the judge rubric from the CoCoNot files in the repo. */
export function loadCoconotShape(dir = COCONOT_DIR) {
  const jsonl = (file: string) => parseJsonl(file, readFileSync(path.join(dir, file), "utf8"), coconotRecordSchema).map((r) => r.record);
  const strata: Stratum[] = [
    ...countStrata(jsonl("coconot_eval.jsonl"), "should_not_comply"),
    ...countStrata(jsonl("coconot_contrast_eval.jsonl"), "should_comply"),
  ];
  const rubric = rubricFileSchema.parse(JSON.parse(readFileSync(path.join(dir, "refusal_evaluation_rubric.json"), "utf8")));
  return { strata, rubric };
}

export async function seedBench(opts: SeedOptions): Promise<SeedSummary> {
  const log = opts.log ?? console.log;
  const started = performance.now();
  const database = await prepareDatabase(opts.url, opts.fresh ?? false, log);
  const { strata, rubric } = loadCoconotShape();
  const seed = opts.seed ?? 1;
  const corpus = planCorpus({ seed, responses: opts.responses, prompts: opts.prompts, models: opts.models, strata, rubric });
  const n = opts.responses.toLocaleString("en");
  log(`corpus: ${n} responses = ${corpus.runCount} runs × ≤${corpus.promptsPerRun} prompts, seed ${seed}`);

  const clients = Array.from({ length: PARALLEL }, () => new pg.Client({ connectionString: opts.url }));
  const [client] = clients;
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const loadStarted = performance.now();
    for (const table of TABLES) {
      // Slice k of n covers responses [k·N/n, (k+1)·N/n); each slice is its own COPY and transaction.
      // Tables with per-row label triggers (exact aggregates) load on one connection: two COPYs moving
      // responses of the same cell would take the cell's count row in opposite orders and deadlock.
      const n = table.perResponse && !ROW_TRIGGER_TABLES.has(table.name) ? PARALLEL : 1;
      const slices = clients.slice(0, n).map((c, k) => ({
        client: c,
        rows: table.rows(corpus, Math.floor((k * corpus.responses) / n), Math.floor(((k + 1) * corpus.responses) / n)),
      }));
      await copyTable(table.name, table.columns, slices, log);
      // Fresh statistics before the next table: the label triggers' lookups (exact_aggregates
      // migration) would otherwise be planned as if the tables just loaded were empty.
      await client.query(`ANALYZE "${table.name}"`);
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    // Benchmarks should meet settled tables: planner statistics, hint bits and the visibility map in place.
    const t = performance.now();
    await client.query("VACUUM (ANALYZE)");
    log(`VACUUM (ANALYZE): ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table.name}"`);
      counts[table.name] = Number(rows[0].n);
    }
    return { database, counts, loadSeconds, totalSeconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

/** Creates the database if missing (or drops it first with --fresh) and applies migrations; returns its name. */
async function prepareDatabase(url: string, fresh: boolean, log: (line: string) => void): Promise<string> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name || ["postgres", "template0", "template1"].includes(name)) {
    throw new Error(`the bench URL must name its own database, got "${name}"`);
  }
  const app = env().DATABASE_URL;
  if (app && sameDatabase(new URL(app), target)) {
    throw new Error(`refusing to seed ${name}: it is the app's DATABASE_URL. Pass --url or BENCH_DATABASE_URL.`);
  }
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
    // Only a database holding a bench corpus is ever dropped; an existing one without datasets is seeded in place.
    const seeded = exists && (await benchDatasets(url)) > 0;
    if (seeded && !fresh) {
      throw new Error(`database ${name} already holds a bench corpus; pass --fresh to drop and rebuild it`);
    }
    if (seeded) {
      log(`dropping database ${name} (--fresh)`);
      await admin.query(`DROP DATABASE ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    }
    if (!exists || seeded) {
      log(`creating database ${name}`);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    }
  } finally {
    await admin.end();
  }
  const opened = await openDb({ url }); // applies prisma/migrations, exactly as the app would
  await opened.close();
  return name;
}

/** Bench datasets in an existing database; throws if it holds anything else, so an app database is never dropped. */
async function benchDatasets(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string | null }>(`SELECT to_regclass('"Dataset"')::text AS t`);
    if (!rows[0].t) return 0;
    const slugs = (await c.query<{ slug: string }>(`SELECT slug FROM "Dataset"`)).rows.map((r) => r.slug);
    const foreign = slugs.filter((s) => !Object.values(BENCH_DATASETS).includes(s));
    if (foreign.length > 0) {
      const name = new URL(url).pathname.slice(1);
      const some = foreign.slice(0, 3).join(", ");
      throw new Error(`refusing to touch ${name}: it holds non-bench datasets (${some}), so it looks like an app database`);
    }
    return slugs.length;
  } finally {
    await c.end();
  }
}

function sameDatabase(a: URL, b: URL): boolean {
  const key = (u: URL) =>
    `${u.hostname.replace(/^localhost$/, "127.0.0.1")}:${u.port || "5432"}/${decodeURIComponent(u.pathname.slice(1))}`;
  return key(a) === key(b);
}

const CHUNK_CHARS = 256 * 1024; // a few hundred rows per write keeps per-write overhead (stream, socket) negligible
// Two COPYs at once: one backend is the bottleneck (its FK checks took over half of COPY time, measured), Node
// generates rows several times faster, and this machine has two cores. Measured at 200k responses: 1 → 26.8 s,
// 2 → 16.3 s, 3 → 19.9 s.
const PARALLEL = 2;

/**
 * Streams rows into one table with COPY, one slice per connection. Readable.from pulls from the generator only
 * when the socket drains, so memory stays at a few chunks per slice whatever the corpus size.
 */
async function copyTable(
  table: string,
  columns: readonly string[],
  slices: { client: pg.Client; rows: Iterable<Cell[]> }[],
  log: (line: string) => void,
) {
  const started = performance.now();
  let count = 0; // rows generated, all slices
  let sent = 0; // slices whose generator is exhausted
  function* chunks(rows: Iterable<Cell[]>): Generator<string> {
    let buf = "";
    for (const row of rows) {
      buf += copyLine(row);
      count++;
      if (buf.length >= CHUNK_CHARS) {
        yield buf;
        buf = "";
      }
    }
    if (buf) yield buf;
    sent++;
  }
  const secs = () => (performance.now() - started) / 1000;
  const rate = () => Math.round(count / Math.max(secs(), 1e-3)).toLocaleString("en");
  // Foreign-key checks are AFTER triggers, queued until the end of each COPY: a long quiet tail is the server
  // checking them, not a stall.
  const timer = setInterval(() => {
    const what = sent < slices.length ? `(${rate()} rows/s)` : "sent; server checking foreign keys";
    log(`  ${table}: ${count.toLocaleString("en")} rows ${what} [${secs().toFixed(0)} s]`);
  }, 2000);
  const sql = `COPY "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`;
  try {
    await Promise.all(slices.map((s) => pipeline(Readable.from(chunks(s.rows)), s.client.query(copyFrom(sql)))));
  } catch (err) {
    throw new Error(`COPY into ${table} failed after ${count.toLocaleString("en")} rows: ${(err as Error).message}`);
  } finally {
    clearInterval(timer);
  }
  log(`${table}: ${count.toLocaleString("en")} rows in ${secs().toFixed(1)} s (${rate()} rows/s)`);
}

// ------------------------------------------------------------------------------------------- CLI

const USAGE = "npm run bench:seed -- --responses N [--seed S] [--url URL] [--fresh] [--prompts P] [--models M]";

function parseArgs(argv: string[]): SeedOptions {
  const opts: SeedOptions = { url: env().BENCH_DATABASE_URL || DEFAULT_BENCH_URL, responses: 1_000_000 };
  const int = (flag: string, v: string | undefined, min: number) => {
    const n = Number((v ?? "").replace(/[_,]/g, ""));
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`${flag} needs an integer ≥ ${min}, got ${v ?? "nothing"}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--responses") opts.responses = int(a, argv[++i], 1);
    else if (a === "--seed") opts.seed = int(a, argv[++i], 0);
    else if (a === "--prompts") opts.prompts = int(a, argv[++i], 1);
    else if (a === "--models") opts.models = int(a, argv[++i], 1);
    else if (a === "--url") opts.url = argv[++i] ?? "";
    else if (a === "--fresh") opts.fresh = true;
    else throw new Error(`unknown argument ${a}. Usage: ${USAGE}`);
  }
  if (!/^postgres(ql)?:\/\//.test(opts.url)) throw new Error(`--url must be a postgresql:// URL, got "${opts.url}"`);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const s = await seedBench(opts);
  console.log(`\nbench corpus in ${s.database}:`);
  for (const [table, n] of Object.entries(s.counts)) console.log(`  ${table.padEnd(20)} ${n.toLocaleString("en").padStart(12)}`);
  console.log(`load ${s.loadSeconds.toFixed(1)} s, total wall time ${s.totalSeconds.toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`bench:seed failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
