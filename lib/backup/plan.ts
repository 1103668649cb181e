// Pure parts of `npm run db:backup` / `db:restore`: argument parsing, file naming, tool version checks.
// The I/O lives in postgres.ts (pg_dump / pg_restore) and pglite.ts (the embedded data directory).
import { parseArgs, type ParseArgsConfig } from "node:util";

export type BackupKind = "postgresql" | "pglite";

export interface BackupArgs {
  /** Where to write the backup; undefined = backupFileName(kind, now). */
  out?: string;
}

export interface RestoreArgs {
  file: string;
  /** Overwrite a target database that already holds data (PostgreSQL). */
  yes: boolean;
}

export const BACKUP_USAGE = "usage: npm run db:backup -- [--out FILE]";
export const RESTORE_USAGE = "usage: npm run db:restore -- --file FILE [--yes]";

export function parseBackupArgs(argv: string[]): BackupArgs {
  const { values } = parseOrExplain(argv, { out: { type: "string" } }, BACKUP_USAGE);
  const out = values.out as string | undefined;
  if (out !== undefined && out.trim() === "") throw new Error(`--out needs a file name\n${BACKUP_USAGE}`);
  return { out };
}

export function parseRestoreArgs(argv: string[]): RestoreArgs {
  const { values } = parseOrExplain(argv, { file: { type: "string" }, yes: { type: "boolean", default: false } }, RESTORE_USAGE);
  const file = values.file as string | undefined;
  if (!file || file.trim() === "") throw new Error(`--file is required: the backup to restore\n${RESTORE_USAGE}`);
  return { file, yes: values.yes as boolean };
}

function parseOrExplain(argv: string[], options: NonNullable<ParseArgsConfig["options"]>, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${usage}`);
  }
}

/**
 * Default backup file: `backups/abstain-20261127T220501Z.dump` (pg_dump custom format) or
 * `….pglite.tar.gz` (PGlite's data directory). UTC, no colons, so names sort by time and are valid on
 * every file system.
 */
export function backupFileName(kind: BackupKind, at: Date, dir = "backups"): string {
  const stamp = timestamp(at);
  return `${dir}/abstain-${stamp}.${kind === "postgresql" ? "dump" : "pglite.tar.gz"}`;
}

/** `20261127T220501Z`: a UTC timestamp usable in file names. */
export function timestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** Major version from `pg_dump --version` output, e.g. "pg_dump (PostgreSQL) 15.20 (Debian …)" → 15. */
export function parseToolMajor(versionOutput: string): number | null {
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(versionOutput);
  // Before 10 the major version had two parts (9.6); those compare as 9, which is enough to refuse them.
  return m ? Number(m[1]) : null;
}

/** Major version from `SHOW server_version_num`, e.g. "150020" → 15, "90624" → 9. */
export function parseServerMajor(versionNum: string | number): number | null {
  const n = Number(versionNum);
  if (!Number.isInteger(n) || n <= 0) return null;
  return Math.floor(n / 10000);
}

/**
 * pg_dump refuses to dump a server newer than itself, and pg_restore cannot read archives of newer
 * pg_dump versions, so the client tools' major version must be at least the server's. Returns the
 * problem in words, or null when the tool can be used.
 */
export function toolVersionProblem(tool: string, toolMajor: number | null, serverMajor: number | null): string | null {
  if (toolMajor === null) return `could not tell the version of ${tool} (is it PostgreSQL's ${tool}?)`;
  if (serverMajor === null) return `could not tell the server's PostgreSQL version`;
  if (toolMajor < serverMajor) {
    return (
      `${tool} is version ${toolMajor} but the server runs PostgreSQL ${serverMajor}; ` +
      `install the version ${serverMajor} client tools (e.g. apt install postgresql-client-${serverMajor}) and put them first on PATH`
    );
  }
  return null;
}

/** The connection string without its password (for argv, which other users can see in `ps`), and the password. */
export function splitPassword(url: string): { url: string; password?: string } {
  const u = new URL(url);
  if (!u.password) return { url };
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { url: u.toString(), password };
}
