// Embedded-database backups: PGlite's own dumpDataDir() (a gzipped tar of the data directory) and
// loadDataDir to restore it into a fresh directory. PGlite is single-process, so both refuse while
// another process (the app) holds the directory's lock file (the same `<dir>.lock` lib/db.ts writes),
// and hold that lock themselves while they work.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { lockPglite } from "../db";
import { timestamp } from "./plan";

function lock(dir: string, what: string): () => void {
  return lockPglite(
    dir,
    (owner) => `the embedded database at ${dir} is in use by process ${owner} (probably the running app); stop it first, then run the ${what} again`,
  );
}

/** Writes the data directory at `dir` to `out` as a gzipped tar. */
export async function backupPglite(dir: string, out: string): Promise<void> {
  const abs = path.resolve(dir);
  if (!existsSync(path.join(abs, "PG_VERSION"))) throw new Error(`no embedded database at ${abs} (nothing to back up)`);
  const unlock = lock(abs, "backup");
  try {
    const lite = await PGlite.create(abs, { extensions: { pg_trgm } });
    try {
      const blob = await lite.dumpDataDir("gzip");
      mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      writeFileSync(out, Buffer.from(await blob.arrayBuffer()));
    } finally {
      await lite.close();
    }
  } finally {
    unlock();
  }
}

/**
 * The backup as an uncompressed tar, checked before PGlite sees it: PGlite 0.5 decompresses in a stream
 * whose error escapes as an uncaught exception instead of rejecting create().
 */
function readTar(file: string): Buffer {
  let data = readFileSync(file);
  const notBackup = (why: string) => new Error(`${file} is not a readable embedded-database backup: ${why}`);
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data);
    } catch (err) {
      throw notBackup(`damaged gzip data (${(err as Error).message})`);
    }
  }
  if (data.length < 512 || data.toString("latin1", 257, 262) !== "ustar") throw notBackup("not a tar archive (npm run db:backup writes .pglite.tar.gz)");
  return data;
}

/**
 * Replaces the data directory at `dir` with the backup `file`. The backup is first loaded into a new
 * directory beside it and checked; only then is the old directory renamed to
 * `<dir>.before-restore-<UTC timestamp>` (kept, so nothing is lost) and the new one put in its place.
 * Returns where the old directory went (undefined when there was none).
 */
export async function restorePglite(dir: string, file: string, at = new Date()): Promise<{ previous?: string }> {
  const abs = path.resolve(dir);
  if (!existsSync(file)) throw new Error(`backup file not found: ${file}`);
  const unlock = lock(abs, "restore");
  const stamp = timestamp(at);
  const staging = `${abs}.restoring-${stamp}`;
  try {
    const tar = readTar(file);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      // A Buffer from readFileSync / gunzipSync sits on a plain ArrayBuffer (never a shared one).
      const lite = await PGlite.create(staging, { extensions: { pg_trgm }, loadDataDir: new Blob([tar as Uint8Array<ArrayBuffer>], { type: "application/x-tar" }) });
      try {
        await lite.query("SELECT count(*) FROM pg_class"); // the catalogue is readable: a usable database
      } finally {
        await lite.close();
      }
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`${file} is not a readable embedded-database backup: ${(err as Error).message}`);
    }
    let previous: string | undefined;
    if (existsSync(abs)) {
      previous = `${abs}.before-restore-${stamp}`;
      renameSync(abs, previous);
    }
    renameSync(staging, abs);
    return { previous };
  } finally {
    unlock();
  }
}
