// npm run db:restore -- --file FILE [--yes]
// PostgreSQL (DATABASE_URL set): pg_restore --clean --if-exists --no-owner in one transaction into the
// configured database; refused without --yes when that database already holds data. Embedded PGlite:
// the data directory (PGLITE_DIR) is replaced, the old one kept as <dir>.before-restore-<timestamp>;
// refused while the app holds the database.
import { existsSync } from "node:fs";
import { describeDatabase } from "./cli";
import { env } from "../lib/env";
import { parseRestoreArgs } from "../lib/backup/plan";
import { restorePglite } from "../lib/backup/pglite";
import { restorePostgres } from "../lib/backup/postgres";

try {
  const args = parseRestoreArgs(process.argv.slice(2));
  if (!existsSync(args.file)) throw new Error(`backup file not found: ${args.file}`);
  const e = env();
  console.log(`restoring ${args.file} into ${describeDatabase()} …`);
  if (e.DATABASE_URL) {
    await restorePostgres(e.DATABASE_URL, args.file, { yes: args.yes });
  } else {
    const { previous } = await restorePglite(e.PGLITE_DIR, args.file);
    if (previous) console.log(`the previous data directory is kept at ${previous} (delete it once you are satisfied)`);
  }
  console.log("restored; pending migrations are applied when the app next opens the database (or: npm run db:deploy)");
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
