// Database side of an import: reference data for validation, and the all-or-nothing write.
//
// How a file is written (one transaction, whatever its size):
//   1. find or create the datasets, models, runs, judges, people and new subcategories the file names;
//   2. stream the rows into temporary tables (COPY FROM STDIN on PostgreSQL, multi-row INSERTs elsewhere), in
//      chunks of FLUSH_ROWS rows: imp_prompt (each prompt once), imp_row (one per response), imp_label (one per
//      judge label, human label and adjudication);
//   3. per chunk, set-based statements insert prompts, responses and labels with ON CONFLICT DO NOTHING, then
//      compare what is stored with what the file says: a difference is a conflict (reported, never overwritten);
//   4. any conflict, or a dry run → ROLLBACK; otherwise an audit entry and COMMIT.
// Idempotency follows from (3): a second import of the same file inserts nothing and finds no difference.
//
// Where the time goes, at 1,000,000 responses (bench/io.ts): the inserts into "Response" (its indexes, the
// trigram index above all) and "JudgeLabel" (its statement trigger) are most of it, and COPY pays them too. What
// staging adds is kept small: a prompt is staged once, not once per response (PromptCache); labels are staged as
// rows of their own that already carry their response's id, so they need no JSON and no join; and the
// comparison with stored rows is skipped for a table when the insert stored every staged entry, since a row the
// import has just inserted cannot differ from itself (the usual case: new runs, new labels).
//
// Why raw SQL instead of lib/datasets|responses|judges data.ts (addPrompts, addResponses, addJudgeLabels):
// those are Prisma calls, and COPY needs all statements on ONE pg connection that Prisma does not expose, so the
// COPY path cannot run them inside its transaction. One SQL implementation serves both paths (a Prisma
// interactive transaction on PGlite or without a URL, a dedicated pg client with COPY otherwise), so both write
// exactly the same rows. The label tables' aggregate triggers (migration exact_aggregates) fire as for any insert.
import { createHash } from "node:crypto";
import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { getOpenedDb, type Db } from "../db";
import { env } from "../env";
import { newId } from "./ids";
import { buildTaxonomyIndex, type NormalizedRow } from "./normalize";
import type { ImportProblem, NewSubcategory } from "./schema";
import { NO_LOGIN_HASH, type UserResolution } from "./users";
import type { ImportContext } from "./validate";

// ------------------------------------------------------------------------------------------ reference data

/**
 * Everything validation compares against. Small tables only: taxonomy, users, datasets, runs, judges. Raw SQL
 * on one plain connection when the target has a URL (the COPY path), through Prisma otherwise: a command-line
 * import then never starts Prisma's query engine, which costs ~26 MB of resident memory for these five reads.
 */
export async function loadImportContext(target: ImportTarget): Promise<ImportContext> {
  const reads = {
    subcategories: `SELECT c.slug || '/' || s.slug AS key FROM "Subcategory" s JOIN "Category" c ON c.id = s."categoryId"`,
    users: `SELECT id, email, name FROM "User"`,
    datasets: `SELECT slug FROM "Dataset"`,
    runs: `SELECT m.name AS model, r.name AS run FROM "Run" r JOIN "Model" m ON m.id = r."modelId"`,
    judges: `SELECT name, version FROM "Judge"`,
  };
  type Rows = {
    subcategories: { key: string }[];
    users: { id: string; email: string; name: string }[];
    datasets: { slug: string }[];
    runs: { model: string; run: string }[];
    judges: { name: string; version: string }[];
  };
  const rows = {} as Rows;
  if (target.kind === "postgresql" && target.url) {
    const client = ownClient(target.url);
    await client.connect();
    try {
      for (const [k, sql] of Object.entries(reads)) rows[k as keyof Rows] = (await client.query(sql)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  } else {
    for (const [k, sql] of Object.entries(reads)) rows[k as keyof Rows] = await target.db.$queryRawUnsafe(sql);
  }
  return {
    taxonomy: buildTaxonomyIndex(rows.subcategories.map((r) => r.key)),
    users: rows.users,
    datasets: new Set(rows.datasets.map((d) => d.slug)),
    runs: new Set(rows.runs.map((r) => `${r.model}\u0000${r.run}`)),
    judges: new Set(rows.judges.map((j) => `${j.name}\u0000${j.version}`)),
  };
}

// ----------------------------------------------------------------------------------------------- sessions

/** Where an import writes: the app's database, plus its URL when a dedicated connection (COPY) is wanted. */
export interface ImportTarget {
  db: Db;
  kind: "postgresql" | "pglite";
  /** PostgreSQL connection string. With it (and kind postgresql) the rows are loaded with COPY. */
  url?: string;
}

/** The app's own database as an import target: COPY on PostgreSQL (DATABASE_URL), batched INSERTs on PGlite. */
export async function getImportTarget(): Promise<ImportTarget> {
  const opened = await getOpenedDb();
  return { db: opened.db, kind: opened.kind, url: env().DATABASE_URL };
}

/**
 * A pg client of the import's own. When the server goes away (restart, crash), node-postgres fails the statement
 * in flight AND emits the error as an 'error' event, which without a listener is an uncaught exception that ends
 * the process (the app, with every request in it). The failing statement reports the outage; the event is only
 * acknowledged here.
 */
function ownClient(url: string): pg.Client {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  return client;
}

/** One connection inside one transaction. */
interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** COPY FROM STDIN, on PostgreSQL through a dedicated client only. */
  copyFrom?(sql: string): Writable;
}

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super("rollback");
  }
}

/** Runs `fn` in one transaction; commits when `commit(result)` says so, rolls back otherwise. */
async function inTransaction<T>(
  target: ImportTarget,
  useCopy: boolean,
  fn: (s: SqlSession) => Promise<T>,
  commit: (result: T) => boolean,
): Promise<T> {
  if (useCopy) {
    const client = ownClient(target.url!);
    await client.connect();
    try {
      // A dedicated session, so session settings are ours: a chunk of the temporary tables (10,000 rows of
      // ~700 bytes) stays in memory instead of spilling, and the DISTINCT ON sorts run in memory.
      await client.query("SET temp_buffers = '64MB'");
      await client.query("BEGIN");
      await client.query("SET LOCAL work_mem = '64MB'");
      const session: SqlSession = {
        query: async <R,>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
        copyFrom: (sql) => client.query(copyFrom(sql)),
      };
      let result: T;
      try {
        result = await fn(session);
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      }
      await client.query(commit(result) ? "COMMIT" : "ROLLBACK");
      return result;
    } finally {
      await client.end().catch(() => {});
    }
  }
  try {
    return await target.db.$transaction(
      async (tx) => {
        const session: SqlSession = {
          query: <R,>(sql: string, params: unknown[] = []) => tx.$queryRawUnsafe<R[]>(sql, ...params),
        };
        const result = await fn(session);
        if (!commit(result)) throw new Rollback(result);
        return result;
      },
      // A 1,000,000-row import is one transaction by design (all-or-nothing); give it time.
      { timeout: 6 * 60 * 60_000, maxWait: 60_000 },
    );
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
}

// -------------------------------------------------------------------------------------------------- write

/** UTC wall time, as Prisma stores DateTime in `timestamp(3)` columns, whatever the session's TimeZone. */
const NOW = `(now() AT TIME ZONE 'UTC')`;
const NOW3 = `(now() AT TIME ZONE 'UTC')::timestamp(3)`;

/**
 * Rows per temporary-table chunk: big enough that per-chunk statements are noise, small enough to stay cached,
 * and the chunk being filled while the previous one is written costs ~7 MB (measured at 1,000,000 rows: the
 * write phase's peak RSS was 263 MB with 10,000 and 310 MB with 20,000).
 */
export const FLUSH_ROWS = 10_000;
const INSERT_BATCH = 1_000;

/** The staging tables and their columns, in COPY order. */
const STAGING = {
  imp_prompt: ["line", "dataset_id", "external_id", "prompt_text", "subcategory_id", "expectation", "prompt_new_id"],
  imp_row: ["line", "dataset_id", "external_id", "run_id", "response_text", "response_new_id"],
  // response_id: the id the response gets if it is new; changed to the stored response's id when it is not.
  // k: j (judge label: judge, v, r), h (human label: u, v, n, rev = revision id), a (adjudication: u, v, reason, n).
  imp_label: ["line", "response_id", "k", "id", "rev", "judge", "u", "v", "r", "n", "reason"],
} as const;
type StagingTable = keyof typeof STAGING;
type Cell = string | number | null;

/** COPY text format: \N for NULL; backslash, tab, newline and CR escaped. */
function copyField(v: Cell): string {
  if (v === null) return "\\N";
  const s = typeof v === "string" ? v : String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : s;
}

/** Bytes per COPY piece: per-write overhead (stream, socket) stays negligible. */
const PIECE_BYTES = 256 * 1024;

/**
 * One staging table's rows of a chunk: COPY text (COPY path), or rows (INSERT path). Each row's line is encoded
 * into a Buffer as soon as it is staged, so its strings die young; kept as strings until written, they (and
 * the parser's input they are cut from) outlive several collections and inflate the heap. Measured on a
 * 200,000-row import, with the parser decoding 64 KiB at a time (lib/imports/parse.ts): the write phase's peak
 * heap went from 220 MB to 109 MB and its peak RSS from 411 MB to 337 MB.
 */
class StagedRows {
  readonly pieces: Buffer[] = [];
  readonly rows: Cell[][] = [];
  private piece: Buffer | null = null;
  private used = 0;
  count = 0;
  constructor(private readonly copy: boolean) {}
  add(row: Cell[]) {
    this.count++;
    if (!this.copy) {
      this.rows.push(row);
      return;
    }
    const line = row.map(copyField).join("\t") + "\n";
    const bytes = Buffer.byteLength(line);
    if (this.piece && this.used + bytes > this.piece.length) this.close();
    if (!this.piece) {
      this.piece = Buffer.allocUnsafe(Math.max(PIECE_BYTES, bytes));
      this.used = 0;
    }
    this.used += this.piece.write(line, this.used);
  }
  close() {
    if (this.piece && this.used) this.pieces.push(this.piece.subarray(0, this.used));
    this.piece = null;
  }
}

interface Chunk {
  staged: Record<StagingTable, StagedRows>;
  labels: { j: number; h: number; a: number };
  /** Staged rows that count towards FLUSH_ROWS: responses, and prompts without one. */
  size: number;
  records: number;
}

/** How many prompts PromptCache remembers: CoCoNot has ~12,000; past the cap prompts are staged every time. */
const PROMPT_CACHE_SIZE = 50_000;

/**
 * Which prompts are already staged, with what content, so the other rows of a prompt (one per run) do not
 * stage it again. A row whose prompt differs from the staged one is staged, so the comparison reports it.
 * Content is remembered by its SHA-1, not its text: 50,000 prompts cost a few MB.
 */
class PromptCache {
  private readonly seen = new Map<string, string>();
  /** Whether the row's prompt must be staged (first time, changed, or not remembered). */
  needs(datasetId: string, externalId: string, text: string, subcategoryId: string, expectation: string): boolean {
    const key = `${datasetId}\u0000${externalId}`;
    const print = createHash("sha1").update(`${text}\u0000${subcategoryId}\u0000${expectation}`).digest("base64");
    const known = this.seen.get(key);
    if (known === print) return false;
    if (known === undefined && this.seen.size < PROMPT_CACHE_SIZE) this.seen.set(key, print);
    return true;
  }
}

export interface WritePlan {
  datasets: string[];
  runs: { model: string; run: string }[];
  judges: { name: string; version: string; kind: "imported" | "reference" }[];
  users: Map<string, UserResolution>;
  createSubcategories: NewSubcategory[];
}

export interface EntityCounts {
  created: number;
  /** Already stored with the same content (prompts: distinct ids; others: file entries, duplicates included). */
  unchanged: number;
}

export interface WriteSummary {
  prompts: EntityCounts;
  responses: EntityCounts;
  judgeLabels: EntityCounts;
  humanLabels: EntityCounts;
  adjudications: EntityCounts;
  created: { datasets: string[]; models: string[]; runs: string[]; judges: string[]; users: string[]; subcategories: string[] };
  loader: "copy" | "insert";
}

export interface WriteOutcome {
  summary: WriteSummary;
  conflicts: ImportProblem[];
  conflictCount: number;
}

export interface WriteOptions {
  dryRun: boolean;
  loader: "auto" | "copy" | "insert";
  maxProblems: number;
  fileName: string;
  actorId: string | null;
  sha256: string;
  flushRows?: number;
  /** Called after each chunk with the number of file records whose rows are now in the database. */
  onFlushed?: (records: number) => void;
  /** Final check before commit (the file read twice must be the same file); problems roll back. */
  verify?: () => ImportProblem[];
}

/**
 * Writes normalised rows in one transaction. `rows` is consumed once; it yields every valid row of the file.
 * Returns conflicts instead of throwing; rolls back on conflicts, `verify` problems or a dry run.
 */
export async function writeImport(
  target: ImportTarget,
  plan: WritePlan,
  rows: AsyncIterable<NormalizedRow>,
  opts: WriteOptions,
): Promise<WriteOutcome> {
  const useCopy = target.kind === "postgresql" && !!target.url && opts.loader !== "insert";
  if (opts.loader === "copy" && !useCopy) throw new Error("loader \"copy\" needs a PostgreSQL target with a connection URL");
  return inTransaction(
    target,
    useCopy,
    async (s) => {
      const w = new Writer(s, useCopy, opts);
      await w.prepare(plan);
      try {
        for await (const row of rows) await w.add(row);
      } catch (err) {
        // Let the chunk being written finish before the transaction is rolled back, so that none of its
        // statements can run after the ROLLBACK.
        await w.settle();
        throw err;
      }
      const outcome = await w.finish();
      const extra = opts.verify?.() ?? [];
      if (extra.length) return { ...outcome, conflicts: [...extra, ...outcome.conflicts], conflictCount: outcome.conflictCount + extra.length };
      // An import that changes nothing leaves no trace either: importing the same file twice changes nothing.
      if (outcome.conflictCount === 0 && !opts.dryRun && changesSomething(outcome.summary)) await w.audit(outcome.summary);
      return outcome;
    },
    (o) => o.conflictCount === 0 && !opts.dryRun,
  );
}

function changesSomething(s: WriteSummary): boolean {
  const rows = [s.prompts, s.responses, s.judgeLabels, s.humanLabels, s.adjudications].some((c) => c.created > 0);
  return rows || Object.values(s.created).some((names) => names.length > 0);
}

const key2 = (a: string, b: string) => `${a}\u0000${b}`;

/** A staged row's (imp_prompt, imp_row: alias i) prompt, stored or just inserted. */
const JOIN_PROMPT = `JOIN "Prompt" p ON p."datasetId" = i.dataset_id AND p."externalId" = i.external_id`;

class Writer {
  private datasetIds = new Map<string, string>();
  private runIds = new Map<string, string>();
  private judgeIds = new Map<string, string>();
  private userIds = new Map<string, string>();
  private subIds = new Map<string, string>();
  private readonly flushRows: number;
  /** The chunk being filled from the file. */
  private chunk: Chunk;
  /** The previous chunk being loaded and written while this one fills (at most one). */
  private inflight: Promise<void> | null = null;
  private readonly prompts = new PromptCache();
  private flushedRecords = 0;
  /** Staging tables that have statistics (see flush). */
  private readonly analyzedStaging = new Set<string>();
  private distinctPrompts = 0;
  private entries = { responses: 0, j: 0, h: 0, a: 0 };
  private conflicts: ImportProblem[] = [];
  private conflictCount = 0;
  private readonly summary: WriteSummary;

  constructor(
    private readonly s: SqlSession,
    private readonly useCopy: boolean,
    private readonly opts: WriteOptions,
  ) {
    this.flushRows = opts.flushRows ?? FLUSH_ROWS;
    this.chunk = this.newChunk();
    const zero = () => ({ created: 0, unchanged: 0 });
    this.summary = {
      prompts: zero(),
      responses: zero(),
      judgeLabels: zero(),
      humanLabels: zero(),
      adjudications: zero(),
      created: { datasets: [], models: [], runs: [], judges: [], users: [], subcategories: [] },
      loader: useCopy ? "copy" : "insert",
    };
  }

  private async auditEntry(action: string, entityType: string, entityId: string, after: unknown) {
    await this.s.query(
      `INSERT INTO "AuditLog" (id, "actorId", action, "entityType", "entityId", after, "createdAt") VALUES ($1, $2, $3, $4, $5, $6::jsonb, ${NOW})`,
      [newId(), this.opts.actorId, action, entityType, entityId, JSON.stringify(after)],
    );
  }

  /** Finds or creates everything rows refer to, and creates the temporary tables. */
  async prepare(plan: WritePlan) {
    const s = this.s;
    const source = `import of ${this.opts.fileName}`;

    // Subcategories (admin-only, checked by validation) and their categories.
    for (const n of plan.createSubcategories) {
      await s.query(
        `INSERT INTO "Category" (id, slug, name, definition, noncompliance, "sortOrder")
         SELECT $1, $2, $2, '', '', coalesce(max("sortOrder"), -1) + 1 FROM "Category"
         ON CONFLICT (slug) DO NOTHING`,
        [newId(), n.category],
      );
      const created = await s.query<{ id: string }>(
        `INSERT INTO "Subcategory" (id, "categoryId", slug, name, definition, "expectedBehaviour", "sortOrder")
         SELECT $1, c.id, $3, $4, $5, '', (SELECT coalesce(max(x."sortOrder"), -1) + 1 FROM "Subcategory" x WHERE x."categoryId" = c.id)
         FROM "Category" c WHERE c.slug = $2
         ON CONFLICT ("categoryId", slug) DO NOTHING RETURNING id`,
        [newId(), n.category, n.subcategory, n.name ?? n.subcategory, n.definition ?? ""],
      );
      if (created.length) {
        this.summary.created.subcategories.push(`${n.category}/${n.subcategory}`);
        await this.auditEntry("taxonomy.subcategory.create", "subcategory", created[0].id, { category: n.category, subcategory: n.subcategory, via: source });
      }
    }
    for (const r of await s.query<{ id: string; key: string }>(
      `SELECT s.id, c.slug || '/' || s.slug AS key FROM "Subcategory" s JOIN "Category" c ON c.id = s."categoryId"`,
    )) {
      this.subIds.set(r.key, r.id);
    }

    // Datasets, models, runs, judges: insert the missing ones in one statement each, then read all ids.
    if (plan.datasets.length) {
      const slugs = plan.datasets;
      const made = await s.query<{ slug: string }>(
        `INSERT INTO "Dataset" (id, slug, name, source, "createdAt")
         SELECT t.id, t.slug, t.slug, $3, ${NOW} FROM unnest($1::text[], $2::text[]) AS t(id, slug)
         ON CONFLICT (slug) DO NOTHING RETURNING slug`,
        [slugs.map(() => newId()), slugs, source],
      );
      this.summary.created.datasets = made.map((r) => r.slug).sort();
      for (const r of await s.query<{ id: string; slug: string }>(`SELECT id, slug FROM "Dataset" WHERE slug = ANY($1::text[])`, [slugs])) {
        this.datasetIds.set(r.slug, r.id);
      }
    }
    if (plan.runs.length) {
      const models = [...new Set(plan.runs.map((r) => r.model))];
      const madeModels = await s.query<{ name: string }>(
        `INSERT INTO "Model" (id, name, "createdAt") SELECT t.id, t.name, ${NOW} FROM unnest($1::text[], $2::text[]) AS t(id, name)
         ON CONFLICT (name) DO NOTHING RETURNING name`,
        [models.map(() => newId()), models],
      );
      this.summary.created.models = madeModels.map((r) => r.name).sort();
      const madeRuns = await s.query<{ model: string; run: string }>(
        `INSERT INTO "Run" (id, "modelId", name, settings, "createdAt")
         SELECT t.id, m.id, t.run, $4::jsonb, ${NOW} FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, model, run)
         JOIN "Model" m ON m.name = t.model
         ON CONFLICT ("modelId", name) DO NOTHING RETURNING name AS run, (SELECT name FROM "Model" WHERE id = "modelId") AS model`,
        [plan.runs.map(() => newId()), plan.runs.map((r) => r.model), plan.runs.map((r) => r.run), JSON.stringify({ source })],
      );
      this.summary.created.runs = madeRuns.map((r) => `${r.model} / ${r.run}`).sort();
      for (const r of await s.query<{ id: string; model: string; run: string }>(
        `SELECT r.id, m.name AS model, r.name AS run FROM "Run" r JOIN "Model" m ON m.id = r."modelId"
         WHERE (m.name, r.name) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [plan.runs.map((r) => r.model), plan.runs.map((r) => r.run)],
      )) {
        this.runIds.set(key2(r.model, r.run), r.id);
      }
    }
    if (plan.judges.length) {
      const made = await s.query<{ name: string; version: string }>(
        `INSERT INTO "Judge" (id, name, kind, version, config, "createdAt")
         SELECT t.id, t.name, t.kind::"JudgeKind", t.version, $5::jsonb, ${NOW}
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, name, kind, version)
         ON CONFLICT (name, version) DO NOTHING RETURNING name, version`,
        [plan.judges.map(() => newId()), plan.judges.map((j) => j.name), plan.judges.map((j) => j.kind), plan.judges.map((j) => j.version), JSON.stringify({ source })],
      );
      this.summary.created.judges = made.map((r) => `${r.name}@${r.version}`).sort();
      for (const r of await s.query<{ id: string; name: string; version: string }>(
        `SELECT id, name, version FROM "Judge" WHERE (name, version) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [plan.judges.map((j) => j.name), plan.judges.map((j) => j.version)],
      )) {
        this.judgeIds.set(key2(r.name, r.version), r.id);
      }
    }

    // People: existing ones by id; missing ones created inactive, without a usable password (lib/imports/users.ts).
    const toCreate = [...plan.users.values()].filter((u) => u.kind === "create");
    for (const u of plan.users.values()) if (u.kind === "existing") this.userIds.set(u.ref, u.userId);
    if (toCreate.length) {
      const made = await s.query<{ id: string; email: string }>(
        `INSERT INTO "User" (id, email, name, "passwordHash", role, active, "createdAt", "updatedAt")
         SELECT t.id, t.email, t.name, $4, 'annotator', false, ${NOW}, ${NOW} FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, email, name)
         ON CONFLICT (email) DO NOTHING RETURNING id, email`,
        [toCreate.map(() => newId()), toCreate.map((u) => u.email), toCreate.map((u) => u.name), NO_LOGIN_HASH],
      );
      for (const m of made) {
        this.summary.created.users.push(m.email);
        await this.auditEntry("user.create", "user", m.id, { email: m.email, role: "annotator", active: false, via: source });
      }
      this.summary.created.users.sort();
      const ids = new Map(
        (await s.query<{ id: string; email: string }>(`SELECT id, email FROM "User" WHERE email = ANY($1::text[])`, [toCreate.map((u) => u.email)])).map((r) => [r.email, r.id]),
      );
      for (const u of toCreate) this.userIds.set(u.ref, ids.get(u.email)!);
    }

    await s.query(
      `CREATE TEMP TABLE imp_prompt (line int NOT NULL, dataset_id text NOT NULL, external_id text NOT NULL, prompt_text text NOT NULL,
         subcategory_id text NOT NULL, expectation text NOT NULL, prompt_new_id text NOT NULL) ON COMMIT DROP`,
    );
    await s.query(
      `CREATE TEMP TABLE imp_row (line int NOT NULL, dataset_id text NOT NULL, external_id text NOT NULL, run_id text NOT NULL,
         response_text text NOT NULL, response_new_id text NOT NULL) ON COMMIT DROP`,
    );
    await s.query(
      `CREATE TEMP TABLE imp_label (line int NOT NULL, response_id text NOT NULL, k text NOT NULL, id text NOT NULL, rev text, judge text,
         u text, v text NOT NULL, r text, n text, reason text) ON COMMIT DROP`,
    );
    await s.query(`CREATE TEMP TABLE imp_seen (dataset_id text, external_id text, PRIMARY KEY (dataset_id, external_id)) ON COMMIT DROP`);
  }

  private newChunk(): Chunk {
    const staged = (): StagedRows => new StagedRows(this.useCopy);
    return { staged: { imp_prompt: staged(), imp_row: staged(), imp_label: staged() }, labels: { j: 0, h: 0, a: 0 }, size: 0, records: 0 };
  }

  /** Stages a row: its prompt (unless already staged unchanged), its responses, and their labels. */
  private stage(row: NormalizedRow, c: Chunk) {
    const datasetId = this.datasetIds.get(row.dataset);
    const subId = this.subIds.get(row.subcategory);
    if (!datasetId || !subId) throw new FileChanged(row.line);
    const { imp_prompt, imp_row, imp_label } = c.staged;
    if (this.prompts.needs(datasetId, row.externalId, row.text, subId, row.expectation)) {
      imp_prompt.add([row.line, datasetId, row.externalId, row.text, subId, row.expectation, newId()]);
    }
    if (row.responses.length === 0) c.size++;
    for (const r of row.responses) {
      const runId = this.runIds.get(key2(r.model, r.run));
      if (!runId) throw new FileChanged(row.line);
      const responseId = newId();
      imp_row.add([row.line, datasetId, row.externalId, runId, r.text, responseId]);
      c.size++;
      for (const j of r.judges) {
        const judge = this.judgeIds.get(key2(j.name, j.version));
        if (!judge) throw new FileChanged(row.line);
        imp_label.add([row.line, responseId, "j", newId(), null, judge, null, j.verdict, j.rationale, null, null]);
        c.labels.j++;
      }
      for (const h of r.humans) {
        const u = this.userIds.get(h.annotator);
        if (!u) throw new FileChanged(row.line);
        imp_label.add([row.line, responseId, "h", newId(), newId(), null, u, h.verdict, null, h.note, null]);
        c.labels.h++;
      }
      if (r.adjudication) {
        const u = this.userIds.get(r.adjudication.adjudicator);
        if (!u) throw new FileChanged(row.line);
        imp_label.add([row.line, responseId, "a", newId(), null, null, u, r.adjudication.verdict, null, r.adjudication.note, r.adjudication.reason]);
        c.labels.a++;
      }
    }
  }

  /**
   * Adds a row to the current chunk. A full chunk is handed to the database (load into the temporary tables,
   * then the set-based writes) while the next chunk is parsed: the file's parsing and the database's work
   * overlap instead of adding up. At most two chunks are in memory (~7 MB each at 10,000 CoCoNot-sized rows).
   */
  async add(row: NormalizedRow) {
    const c = this.chunk;
    this.stage(row, c);
    c.records++;
    if (c.size >= this.flushRows) await this.dispatch();
  }

  /** Waits for the previous chunk, then starts writing the current one without waiting for it. */
  private async dispatch() {
    const chunk = this.chunk;
    for (const t of Object.values(chunk.staged)) t.close();
    this.chunk = this.newChunk();
    if (this.inflight) await this.inflight;
    if (chunk.size === 0) {
      this.flushedRecords += chunk.records;
      return;
    }
    this.inflight = this.load(chunk).then(() => this.flush(chunk));
    this.inflight.catch(() => {}); // awaited by the next dispatch or finish(); never an unhandled rejection
  }

  /**
   * COPY path: one COPY per staging table. INSERT path: one parameter holding a batch as JSON, expanded by
   * json_populate_recordset. Through Prisma's raw-query path, eleven array parameters of 1,000 elements cost
   * several times more than one JSON text (measured on PGlite: 775 ms vs 60 ms per 1,000 rows).
   */
  private async load(chunk: Chunk) {
    for (const [table, staged] of Object.entries(chunk.staged) as [StagingTable, StagedRows][]) {
      if (!staged.count) continue;
      const columns = STAGING[table];
      if (this.useCopy) {
        const copy = this.s.copyFrom!(`COPY ${table} (${columns.join(", ")}) FROM STDIN`);
        const done = finished(copy);
        done.catch(() => {}); // awaited below, unless a failed write (a lost connection) throws first
        for (const piece of staged.pieces) {
          if (!copy.write(piece)) {
            await new Promise<void>((resolve, reject) => {
              copy.once("drain", resolve);
              copy.once("error", reject);
            });
          }
        }
        copy.end();
        await done;
        continue;
      }
      for (let i = 0; i < staged.rows.length; i += INSERT_BATCH) {
        const batch = staged.rows.slice(i, i + INSERT_BATCH);
        const json = JSON.stringify(batch.map((r) => Object.fromEntries(columns.map((col, k) => [col, r[k]]))));
        await this.s.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [json]);
      }
    }
  }

  /** The `n` of a statement that returns one row `{ n }`. */
  private async count(sql: string): Promise<number> {
    return Number((await this.s.query<{ n: number }>(sql))[0].n);
  }

  private addConflicts(rows: (ImportProblem & { total: number })[]) {
    if (!rows.length) return;
    this.conflictCount += rows[0].total;
    for (const { total: _total, ...p } of rows) {
      if (this.conflicts.length < this.opts.maxProblems) this.conflicts.push(p);
    }
  }

  /**
   * Conflict rows: `bad` selects the differing rows cheaply (a join on a unique index); the context for the
   * message (names, excerpts) is joined only for the first `cap` of them.
   */
  private async conflictRows<T extends { line: number; total: number }>(bad: string, context: string): Promise<T[]> {
    return this.s.query<T>(
      `WITH bad AS MATERIALIZED (${bad})
       SELECT b.*, (SELECT count(*)::int FROM bad) AS total ${context}
       ORDER BY b.line`,
      [this.opts.maxProblems],
    );
  }

  private analyzedAt = 0;

  /**
   * Autovacuum cannot see rows this transaction has not committed, so during a big import the planner believes
   * the tables are as small as before it, and the label triggers (migration exact_aggregates) run per-row
   * queries with plans made for those sizes. Measured at 100,000 rows on PostgreSQL: the human-label inserts
   * took 104 s without this and 1.5 s with it. ANALYZE counts this transaction's own rows; it is re-run whenever
   * the import has doubled what it wrote since the last one, so it runs O(log n) times.
   */
  private async refreshStatistics() {
    const written = this.summary.responses.created + this.summary.prompts.created;
    if (written < 1000 || written < 2 * this.analyzedAt) return;
    this.analyzedAt = written;
    await this.s.query(`ANALYZE "Prompt", "Response", "JudgeLabel", "HumanLabel"`);
  }

  /** Prompts of a chunk: each staged once per chunk (PromptCache), so this is a few thousand rows at most. */
  private async flushPrompts(staged: number) {
    const one = (sql: string) => this.count(sql);
    this.distinctPrompts += await one(
      `WITH s AS (INSERT INTO imp_seen SELECT DISTINCT dataset_id, external_id FROM imp_prompt ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::int AS n FROM s`,
    );
    const created = await one(
      `WITH ins AS (
         INSERT INTO "Prompt" (id, "datasetId", "externalId", text, "subcategoryId", expectation, "createdAt")
         SELECT DISTINCT ON (dataset_id, external_id) prompt_new_id, dataset_id, external_id, prompt_text, subcategory_id, expectation::"Expectation", ${NOW}
         FROM imp_prompt ORDER BY dataset_id, external_id, line
         ON CONFLICT ("datasetId", "externalId") DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    this.summary.prompts.created += created;
    if (created === staged) return;
    const subKey = (id: string) => `(SELECT c.slug || '/' || x.slug FROM "Subcategory" x JOIN "Category" c ON c.id = x."categoryId" WHERE x.id = ${id})`;
    this.addConflicts(
      (
        await this.conflictRows<{ line: number; external_id: string; dataset: string; field: string; stored: string; incoming: string; earlier: boolean; total: number }>(
          `SELECT DISTINCT ON (i.dataset_id, i.external_id) i.line, i.external_id, i.dataset_id,
             CASE WHEN p.text <> i.prompt_text THEN 'text' WHEN p."subcategoryId" <> i.subcategory_id THEN 'subcategory' ELSE 'expectation' END AS field,
             p.text AS s_text, i.prompt_text AS i_text, p."subcategoryId" AS s_sub, i.subcategory_id AS i_sub, p.expectation::text AS s_exp, i.expectation AS i_exp,
             p."createdAt" = ${NOW3} AS earlier
           FROM imp_prompt i ${JOIN_PROMPT}
           WHERE p.text <> i.prompt_text OR p."subcategoryId" <> i.subcategory_id OR p.expectation::text <> i.expectation
           ORDER BY i.dataset_id, i.external_id, i.line`,
          `, d.slug AS dataset,
             CASE b.field WHEN 'text' THEN left(b.s_text, 80) WHEN 'subcategory' THEN ${subKey("b.s_sub")} ELSE b.s_exp END AS stored,
             CASE b.field WHEN 'text' THEN left(b.i_text, 80) WHEN 'subcategory' THEN ${subKey("b.i_sub")} ELSE b.i_exp END AS incoming
           FROM (SELECT * FROM bad ORDER BY line LIMIT $1) b JOIN "Dataset" d ON d.id = b.dataset_id`,
        )
      ).map((r) => ({
        code: "conflict" as const,
        line: r.line,
        field: `prompt ${r.field}`,
        message:
          `Prompt "${r.external_id}" of dataset "${r.dataset}" ${r.earlier ? "appears earlier in this file" : "is already stored"} with a different ${r.field}: ` +
          `${JSON.stringify(r.stored)} there, ${JSON.stringify(r.incoming)} here`,
        fix: "A known prompt id is never overwritten. Correct the row, give the prompt a new id, or import into another dataset.",
        total: r.total,
      })),
    );
  }

  /**
   * Writes the loaded chunk into the real tables and collects conflicts. Each table's comparison with what is
   * stored runs only when its insert skipped some staged entry (stored before, or twice in the file): when every
   * entry was inserted, stored and staged are the same rows.
   */
  private async flush(chunk: Chunk) {
    const s = this.s;
    const { imp_prompt, imp_row, imp_label } = chunk.staged;
    const labels = chunk.labels.j + chunk.labels.h + chunk.labels.a;
    // Temporary tables get no automatic statistics; without them the planner guesses and can pick nested loops
    // over the whole chunk (measured: a 3.5 s conflict check on PGlite for 1,854 rows, 40 ms after ANALYZE).
    // Chunks look alike, so a table's first chunk's statistics serve the rest (~0.2 s per 10,000 rows).
    const analyze = [imp_prompt.count && "imp_prompt", imp_row.count && "imp_row", labels && "imp_label"].filter((t): t is string => !!t && !this.analyzedStaging.has(t));
    if (analyze.length) await s.query(`ANALYZE ${analyze.join(", ")}`);
    analyze.forEach((t) => this.analyzedStaging.add(t));

    if (imp_prompt.count) await this.flushPrompts(imp_prompt.count);
    if (imp_row.count) await this.flushResponses(imp_row.count, labels > 0);
    await this.refreshStatistics();
    if (labels) await this.flushLabels(chunk.labels);

    await s.query(`TRUNCATE imp_prompt, imp_row, imp_label`);
    this.flushedRecords += chunk.records;
    this.opts.onFlushed?.(this.flushedRecords);
  }

  /** Responses of a chunk; then the labels of responses that were stored already point at the stored ones. */
  private async flushResponses(staged: number, labels: boolean) {
    const one = (sql: string) => this.count(sql);
    this.entries.responses += staged;
    const created = await one(
      `WITH src AS (
         SELECT DISTINCT ON (i.run_id, p.id) i.response_new_id AS id, i.run_id, p.id AS prompt_id, i.response_text
         FROM imp_row i ${JOIN_PROMPT} ORDER BY i.run_id, p.id, i.line),
       ins AS (
         INSERT INTO "Response" (id, "runId", "promptId", text, "createdAt") SELECT id, run_id, prompt_id, response_text, ${NOW} FROM src
         ON CONFLICT ("runId", "promptId") DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    this.summary.responses.created += created;
    if (created === staged) return;
    if (labels) {
      await this.s.query(
        `UPDATE imp_label l SET response_id = r.id
         FROM imp_row i ${JOIN_PROMPT} JOIN "Response" r ON r."runId" = i.run_id AND r."promptId" = p.id
         WHERE l.response_id = i.response_new_id AND r.id <> i.response_new_id`,
      );
    }
    this.addConflicts(
      (
        await this.conflictRows<{ line: number; external_id: string; dataset: string; model: string; run: string; stored: string; incoming: string; earlier: boolean; total: number }>(
          `SELECT i.line, i.external_id, i.dataset_id, i.run_id, r.text AS s_text, i.response_text AS i_text, r."createdAt" = ${NOW3} AS earlier
           FROM imp_row i ${JOIN_PROMPT} JOIN "Response" r ON r."runId" = i.run_id AND r."promptId" = p.id
           WHERE r.text <> i.response_text`,
          `, d.slug AS dataset, m.name AS model, ru.name AS run, left(b.s_text, 80) AS stored, left(b.i_text, 80) AS incoming
           FROM (SELECT * FROM bad ORDER BY line LIMIT $1) b JOIN "Run" ru ON ru.id = b.run_id JOIN "Model" m ON m.id = ru."modelId" JOIN "Dataset" d ON d.id = b.dataset_id`,
        )
      ).map((r) => ({
        code: "conflict" as const,
        line: r.line,
        field: "response text",
        message:
          `The response of run "${r.model} / ${r.run}" to prompt "${r.external_id}" (${r.dataset}) ${r.earlier ? "appears earlier in this file" : "is already stored"} with a different text: ` +
          `${JSON.stringify(r.stored)} there, ${JSON.stringify(r.incoming)} here`,
        fix: "A stored response is never overwritten. Import the new responses as a new run (another run name), or correct the row.",
        total: r.total,
      })),
    );
  }

  /** Judge labels, human labels (with their first revision) and adjudications of a chunk. */
  private async flushLabels(staged: { j: number; h: number; a: number }) {
    const one = (sql: string) => this.count(sql);
    const context = `JOIN "Response" r ON r.id = b.response_id JOIN "Prompt" p ON p.id = r."promptId" JOIN "Run" ru ON ru.id = r."runId" JOIN "Model" m ON m.id = ru."modelId"`;
    const names = `p."externalId" AS external_id, m.name AS model, ru.name AS run`;
    const where = (r: { external_id: string; model: string; run: string }) => `on the response of "${r.model} / ${r.run}" to prompt "${r.external_id}"`;
    const firstBad = `(SELECT * FROM bad ORDER BY line LIMIT $1) b`;

    if (staged.j) {
      this.entries.j += staged.j;
      const created = await one(
        `WITH ins AS (
           INSERT INTO "JudgeLabel" (id, "responseId", "judgeId", verdict, rationale, "rawOutput", "createdAt")
           SELECT DISTINCT ON (response_id, judge) id, response_id, judge, v::"Verdict", coalesce(r, ''), '', ${NOW}
           FROM imp_label WHERE k = 'j' ORDER BY response_id, judge, line
           ON CONFLICT ("responseId", "judgeId") DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
      );
      this.summary.judgeLabels.created += created;
      if (created < staged.j) {
        this.addConflicts(
          (
            await this.conflictRows<{ line: number; external_id: string; model: string; run: string; judge: string; field: string; stored: string; incoming: string; total: number }>(
              `SELECT l.line, l.response_id, l.judge AS judge_id, CASE WHEN jl.verdict::text <> l.v THEN 'verdict' ELSE 'rationale' END AS field,
                 CASE WHEN jl.verdict::text <> l.v THEN jl.verdict::text ELSE left(jl.rationale, 80) END AS stored,
                 CASE WHEN jl.verdict::text <> l.v THEN l.v ELSE left(coalesce(l.r, ''), 80) END AS incoming
               FROM imp_label l JOIN "JudgeLabel" jl ON jl."responseId" = l.response_id AND jl."judgeId" = l.judge
               WHERE l.k = 'j' AND (jl.verdict::text <> l.v OR jl.rationale <> coalesce(l.r, ''))`,
              `, ${names}, j.name || '@' || j.version AS judge FROM ${firstBad} ${context} JOIN "Judge" j ON j.id = b.judge_id`,
            )
          ).map((r) => ({
            code: "conflict" as const,
            line: r.line,
            field: `judge ${r.field}`,
            message: `Judge ${r.judge} already has a label ${where(r)} with a different ${r.field}: ${JSON.stringify(r.stored)} stored, ${JSON.stringify(r.incoming)} here`,
            fix: "A judge version's label is never overwritten. Import these verdicts under a new judge version.",
            total: r.total,
          })),
        );
      }
    }

    if (staged.h) {
      this.entries.h += staged.h;
      const created = await one(
        `WITH src AS (SELECT DISTINCT ON (response_id, u) * FROM imp_label WHERE k = 'h' ORDER BY response_id, u, line),
         ins AS (
           INSERT INTO "HumanLabel" (id, "responseId", "annotatorId", verdict, note, "createdAt", "updatedAt")
           SELECT id, response_id, u, v::"Verdict", coalesce(n, ''), ${NOW}, ${NOW} FROM src
           ON CONFLICT ("responseId", "annotatorId") DO NOTHING RETURNING id, verdict, note, "annotatorId"),
         rev AS (
           INSERT INTO "HumanLabelRevision" (id, "humanLabelId", verdict, note, "changedById", "changedAt")
           SELECT src.rev, ins.id, ins.verdict, ins.note, ins."annotatorId", ${NOW} FROM ins JOIN src ON src.id = ins.id RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
      );
      this.summary.humanLabels.created += created;
      if (created < staged.h) {
        this.addConflicts(
          (
            await this.conflictRows<{ line: number; external_id: string; model: string; run: string; who: string; field: string; stored: string; incoming: string; total: number }>(
              `SELECT l.line, l.response_id, l.u, CASE WHEN h.verdict::text <> l.v THEN 'verdict' ELSE 'note' END AS field,
                 CASE WHEN h.verdict::text <> l.v THEN h.verdict::text ELSE left(h.note, 80) END AS stored,
                 CASE WHEN h.verdict::text <> l.v THEN l.v ELSE left(coalesce(l.n, ''), 80) END AS incoming
               FROM imp_label l JOIN "HumanLabel" h ON h."responseId" = l.response_id AND h."annotatorId" = l.u
               WHERE l.k = 'h' AND (h.verdict::text <> l.v OR h.note <> coalesce(l.n, ''))`,
              `, ${names}, us.email AS who FROM ${firstBad} ${context} JOIN "User" us ON us.id = b.u`,
            )
          ).map((r) => ({
            code: "conflict" as const,
            line: r.line,
            field: `label of ${r.who}`,
            message: `${r.who} already has a label ${where(r)} with a different ${r.field}: ${JSON.stringify(r.stored)} stored, ${JSON.stringify(r.incoming)} here`,
            fix: "Imports never change a stored human label; change it in the annotation view (it keeps the history), or correct the file.",
            total: r.total,
          })),
        );
      }
    }

    if (staged.a) {
      this.entries.a += staged.a;
      const created = await one(
        `WITH ins AS (
           INSERT INTO "Adjudication" (id, "responseId", verdict, reason, note, "adjudicatorId", version, "createdAt", "updatedAt")
           SELECT DISTINCT ON (response_id) id, response_id, v::"Verdict", reason::"JudgeErrorReason", coalesce(n, ''), u, 1, ${NOW}, ${NOW}
           FROM imp_label WHERE k = 'a' ORDER BY response_id, line
           ON CONFLICT ("responseId") DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
      );
      this.summary.adjudications.created += created;
      if (created < staged.a) {
        this.addConflicts(
          (
            await this.conflictRows<{ line: number; external_id: string; model: string; run: string; field: string; stored: string; incoming: string; total: number }>(
              `SELECT l.line, l.response_id,
                 CASE WHEN a.verdict::text <> l.v THEN 'verdict' WHEN a."adjudicatorId" <> l.u THEN 'adjudicator' WHEN a.reason::text <> l.reason THEN 'reason' ELSE 'note' END AS field,
                 CASE WHEN a.verdict::text <> l.v THEN a.verdict::text WHEN a."adjudicatorId" <> l.u THEN (SELECT email FROM "User" WHERE id = a."adjudicatorId")
                      WHEN a.reason::text <> l.reason THEN a.reason::text ELSE left(a.note, 80) END AS stored,
                 CASE WHEN a.verdict::text <> l.v THEN l.v WHEN a."adjudicatorId" <> l.u THEN (SELECT email FROM "User" WHERE id = l.u)
                      WHEN a.reason::text <> l.reason THEN l.reason ELSE left(coalesce(l.n, ''), 80) END AS incoming
               FROM imp_label l JOIN "Adjudication" a ON a."responseId" = l.response_id
               WHERE l.k = 'a' AND (a.verdict::text <> l.v OR a."adjudicatorId" <> l.u OR a.reason::text <> l.reason OR a.note <> coalesce(l.n, ''))`,
              `, ${names} FROM ${firstBad} ${context}`,
            )
          ).map((r) => ({
            code: "conflict" as const,
            line: r.line,
            field: `adjudication ${r.field}`,
            message: `There is already an adjudication ${where(r)} with a different ${r.field}: ${JSON.stringify(r.stored)} stored, ${JSON.stringify(r.incoming)} here`,
            fix: "Imports never change an adjudication; change it on the adjudication page, or correct the file.",
            total: r.total,
          })),
        );
      }
    }
  }

  /** Waits for the chunk being written, ignoring its outcome (the caller is already failing). */
  async settle() {
    await this.inflight?.catch(() => {});
  }

  async finish(): Promise<WriteOutcome> {
    await this.dispatch();
    if (this.inflight) await this.inflight;
    const m = this.summary;
    m.prompts.unchanged = this.distinctPrompts - m.prompts.created;
    m.responses.unchanged = this.entries.responses - m.responses.created;
    m.judgeLabels.unchanged = this.entries.j - m.judgeLabels.created;
    m.humanLabels.unchanged = this.entries.h - m.humanLabels.created;
    m.adjudications.unchanged = this.entries.a - m.adjudications.created;
    this.conflicts.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { summary: m, conflicts: this.conflicts, conflictCount: this.conflictCount };
  }

  /** One audit entry per import (rows themselves are not audited one by one; the entry names the file). */
  async audit(summary: WriteSummary) {
    await this.auditEntry("import.file", "import", this.opts.sha256, { file: this.opts.fileName, sha256: this.opts.sha256, ...summary });
  }
}

/** A row referring to something the validation pass did not see: the file changed between the passes. */
export class FileChanged extends Error {
  constructor(readonly line: number) {
    super(`line ${line} differs from the file that was validated`);
  }
}
