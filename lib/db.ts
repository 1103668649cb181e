// One Prisma client for the process: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
// Migrations are applied when the client is first opened, on both, from the same SQL files.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { env } from "./env";
import { isAlive } from "./process-alive";
import { log } from "./log";
import { applyMigrations, type SqlConnection } from "./migrations";
import { PrismaClient, Prisma } from "./generated/prisma/client";

export { Prisma };
export type Db = PrismaClient;
/** A client or an interactive transaction: what lib functions accept, so callers can compose them. */
export type DbTx = PrismaClient | Prisma.TransactionClient;

export interface OpenedDb {
  db: PrismaClient;
  kind: "postgresql" | "pglite";
  /** Raw SQL on the same database, for migrations, bulk loads and independent checks in tests. */
  sql: SqlConnection;
  close(): Promise<void>;
}

/** Opens a database and applies pending migrations. `url` undefined means embedded PGlite at `dir`. */
export async function openDb(opts: { url?: string; dir?: string; migrate?: boolean } = {}): Promise<OpenedDb> {
  const migrate = opts.migrate ?? true;
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: 10 });
    // An idle connection can be closed by the server (restart, admin command). Without a listener pg
    // raises that as an uncaught exception and the process dies; the pool replaces the connection.
    pool.on("error", (err) => log.warn({ err: err.message }, "idle PostgreSQL connection closed"));
    const sql: SqlConnection = {
      exec: (s) => pool.query(s),
      query: async (s, p) => pool.query(s, p as unknown[]) as never,
    };
    if (migrate) {
      // Migrations need one session (BEGIN/COMMIT and the advisory lock), not a pool.
      const client = await pool.connect();
      // A checked-out client has no pool listener: a server going away mid-migration must reject the query
      // (and the open), not raise an uncaught 'error' event that ends the process.
      const onError = (err: Error) => log.warn({ err: err.message }, "PostgreSQL connection lost during migrations");
      client.on("error", onError);
      try {
        await applyMigrations({ exec: (s) => client.query(s), query: (s, p) => client.query(s, p as unknown[]) as never });
      } finally {
        client.removeListener("error", onError);
        client.release();
      }
    }
    const db = new PrismaClient({ adapter: new PrismaPgReleasing(pool) });
    return {
      db,
      kind: "postgresql",
      sql,
      close: async () => {
        await db.$disconnect(); // ends the pool through the adapter
        if (!pool.ended) await pool.end();
      },
    };
  }
  // In memory when dir is "memory://" (tests); on disk otherwise. PGlite does not create parents.
  const dir = opts.dir ?? env().PGLITE_DIR;
  const onDisk = !dir.startsWith("memory://");
  const unlock = onDisk ? lockPglite(path.resolve(/*turbopackIgnore: true*/ dir)) : () => {};
  if (onDisk) mkdirSync(/*turbopackIgnore: true*/ path.resolve(/*turbopackIgnore: true*/ dir), { recursive: true });
  let lite: PGlite;
  try {
    // pg_trgm backs Browse's text search index (migration text_search).
    lite = await PGlite.create(onDisk ? path.resolve(/*turbopackIgnore: true*/ dir) : undefined, { extensions: { pg_trgm } });
  } catch (err) {
    unlock();
    throw err;
  }
  const sql: SqlConnection = {
    exec: (s) => lite.exec(s),
    query: (s, p) => lite.query(s, p as unknown[]) as never,
  };
  if (migrate) await applyMigrations(sql);
  // pglite-prisma-adapter 0.6.1 is typed against an older driver-adapter-utils; it works with 6.19.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = new PrismaClient({ adapter: new PrismaPGlite(lite) as any });
  return {
    db,
    kind: "pglite",
    sql,
    close: async () => {
      await db.$disconnect();
      await lite.close();
      unlock();
    },
  };
}

/**
 * The pg driver adapter, except that a transaction's connection goes back to the pool when closing the
 * transaction fails. Prisma 6.19 ends an interactive transaction by running COMMIT or ROLLBACK and only then
 * releases its connection; when that statement fails (the server went away mid-transaction, or a deferred
 * check failed at COMMIT), the connection is never released. Measured: each transaction open during a server
 * restart kept one of the pool's 10 connections for good, so after a few outages every query waited forever
 * for a connection (lib/queues/annotate.faults.test.ts). A dead connection handed back is dropped by the pool;
 * a live one (after a failed COMMIT the transaction is over) is reused.
 */
class PrismaPgReleasing extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = await startTransaction(isolationLevel);
      const executeRaw = tx.executeRaw.bind(tx);
      tx.executeRaw = async (query) => {
        try {
          return await executeRaw(query);
        } catch (err) {
          if (query.sql === "COMMIT" || query.sql === "ROLLBACK") await tx.rollback(); // releases the connection
          throw err;
        }
      };
      return tx;
    };
    return adapter;
  }
}

/** The live process other than this one that holds the embedded database at `dir` (absolute), or null. */
export function pgliteLockOwner(dir: string): number | null {
  let owner: number;
  try {
    owner = Number(readFileSync(/*turbopackIgnore: true*/ `${dir}.lock`, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  return owner && owner !== process.pid && isAlive(owner) ? owner : null;
}

/**
 * PGlite is single-process: two processes opening one data directory corrupt it. A lock file next to the
 * directory (absolute) names the owner; while another live process holds it, this throws `refusal(owner)`.
 * The lock is released by the returned function, or when the process exits. The app and the backup
 * commands (lib/backup/pglite.ts) take the same lock.
 */
export function lockPglite(
  dir: string,
  refusal: (owner: number) => string = (owner) =>
    `The embedded database at ${dir} is in use by process ${owner} (probably the running app). ` +
    "Stop that process first, or use a PostgreSQL server via DATABASE_URL.",
): () => void {
  const owner = pgliteLockOwner(dir);
  if (owner !== null) throw new Error(refusal(owner));
  const file = `${dir}.lock`;
  mkdirSync(/*turbopackIgnore: true*/ path.dirname(dir), { recursive: true });
  writeFileSync(/*turbopackIgnore: true*/ file, String(process.pid));
  const release = () => {
    try {
      if (Number(readFileSync(/*turbopackIgnore: true*/ file, "utf8")) === process.pid) rmSync(/*turbopackIgnore: true*/ file);
    } catch {
      /* already gone */
    }
  };
  process.once("exit", release);
  return release;
}

const globalForDb = globalThis as unknown as { __abstainDb?: Promise<OpenedDb> };

/** The process-wide database (opened on first use). A failed open is not cached, so the next call retries. */
export function getOpenedDb(): Promise<OpenedDb> {
  if (!globalForDb.__abstainDb) {
    const e = env();
    const p = openDb({ url: e.DATABASE_URL, dir: e.PGLITE_DIR });
    globalForDb.__abstainDb = p;
    p.catch(() => {
      if (globalForDb.__abstainDb === p) globalForDb.__abstainDb = undefined;
    });
  }
  return globalForDb.__abstainDb;
}

export async function getDb(): Promise<PrismaClient> {
  return (await getOpenedDb()).db;
}

/** Closes the process-wide database (scripts call this before exiting). */
export async function closeDb(): Promise<void> {
  const p = globalForDb.__abstainDb;
  globalForDb.__abstainDb = undefined;
  if (p) await (await p).close();
}

/**
 * Runs a write again when PostgreSQL aborted it for a deadlock or a serialization failure (the
 * transaction rolled back entirely, so trying again is safe). Label writes lock their response row
 * (see the `exact_aggregates` migration); concurrent multi-row writes can still meet in another
 * order, and PostgreSQL resolves that by aborting one of them.
 */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const text = `${(err as { code?: string }).code ?? ""} ${(err as Error).message ?? ""}`;
      const transient = /40P01|40001|deadlock detected|could not serialize access/.test(text);
      if (!transient || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 10 * 2 ** i * Math.random()));
    }
  }
}
