// npm run db:deploy: applies pending migrations to the configured database (PostgreSQL or embedded).
// The app also does this when it starts; this is for deployments that migrate as a separate step.
import { openDb } from "../lib/db";
import { env } from "../lib/env";
import { applyMigrations } from "../lib/migrations";
import { describeDatabase } from "./cli";

const e = env();
const opened = await openDb({ url: e.DATABASE_URL, dir: e.PGLITE_DIR, migrate: false });
try {
  const r = await applyMigrations(opened.sql);
  console.log(`${describeDatabase()}: ${r.applied.length} migration(s) applied, ${r.skipped.length} already in place.`);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await opened.close();
}
