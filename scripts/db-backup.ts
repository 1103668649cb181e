// npm run db:backup -- [--out FILE]
// PostgreSQL (DATABASE_URL set): pg_dump --format=custom to FILE. Embedded PGlite: the data directory
// (PGLITE_DIR) as a gzipped tar; refused while the app holds the database. Default FILE:
// backups/abstain-<UTC timestamp>.dump (or .pglite.tar.gz). Restore with npm run db:restore.
import { statSync } from "node:fs";
import { describeDatabase } from "./cli";
import { env } from "../lib/env";
import { backupFileName, parseBackupArgs } from "../lib/backup/plan";
import { backupPglite } from "../lib/backup/pglite";
import { backupPostgres } from "../lib/backup/postgres";

try {
  const args = parseBackupArgs(process.argv.slice(2));
  const e = env();
  const out = args.out ?? backupFileName(e.DATABASE_URL ? "postgresql" : "pglite", new Date());
  console.log(`backing up ${describeDatabase()} …`);
  if (e.DATABASE_URL) await backupPostgres(e.DATABASE_URL, out);
  else await backupPglite(e.PGLITE_DIR, out);
  console.log(`wrote ${out} (${(statSync(out).size / 1024 / 1024).toFixed(1)} MiB)`);
  console.log(`restore with: npm run db:restore -- --file ${out}`);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
