// Shared bits of the command-line scripts: open the configured database, print errors plainly.
import { closeDb, getOpenedDb, type OpenedDb } from "../lib/db";
import { env } from "../lib/env";
import { ParseProblems } from "../lib/datasets/coconot";
import { AppError, isDatabaseUnavailable } from "../lib/errors";

export function describeDatabase(): string {
  const e = env();
  if (!e.DATABASE_URL) return `embedded PGlite at ${e.PGLITE_DIR}`;
  const u = new URL(e.DATABASE_URL);
  return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/** Runs a script body with the process database, closes it, and turns failures into exit code 1. */
export async function runCli(body: (opened: OpenedDb) => Promise<void>): Promise<void> {
  try {
    const opened = await getOpenedDb();
    await body(opened);
    await closeDb();
  } catch (err) {
    await closeDb().catch(() => {});
    if (err instanceof AppError || err instanceof ParseProblems) console.error(`error: ${err.message}`);
    else if (isDatabaseUnavailable(err)) {
      console.error(`error: the database (${describeDatabase()}) is unreachable or restarting; try again once it answers.`);
      console.error(`       (${err instanceof Error ? err.message.trim().split("\n").pop() : String(err)})`);
    }
    else console.error(err instanceof Error ? `error: ${err.message}` : err);
    process.exit(1);
  }
}
