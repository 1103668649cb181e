// PostgreSQL backups: pg_dump --format=custom to a file, pg_restore --clean into the configured database.
// The client tools must be installed and at least as new as the server (checked before they run).
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { parseServerMajor, parseToolMajor, splitPassword, toolVersionProblem } from "./plan";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], password?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The password goes to the child through PGPASSWORD, not argv (visible to every user in `ps`).
    const childEnv = password === undefined ? undefined : { ...process.env, PGPASSWORD: password };
    const child = spawn(cmd, args, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT"
          ? new Error(`${cmd} was not found on PATH: install the PostgreSQL client tools (e.g. apt install postgresql-client)`)
          : err,
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function serverMajor(url: string): Promise<number | null> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ server_version_num: string }>("SHOW server_version_num");
    return parseServerMajor(rows[0].server_version_num);
  } finally {
    await c.end();
  }
}

/** Throws a readable error unless `tool` exists and its major version is ≥ the server's. */
export async function checkTool(tool: "pg_dump" | "pg_restore", url: string): Promise<void> {
  const v = await run(tool, ["--version"]);
  const problem = toolVersionProblem(tool, parseToolMajor(v.stdout), await serverMajor(url));
  if (problem) throw new Error(problem);
}

/** Writes a custom-format dump of the database at `url` to `out` (parent folders are created). */
export async function backupPostgres(url: string, out: string): Promise<void> {
  await checkTool("pg_dump", url);
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const conn = splitPassword(url);
  const r = await run("pg_dump", ["--format=custom", "--no-owner", `--file=${out}`, `--dbname=${conn.url}`], conn.password);
  if (r.code !== 0) throw new Error(`pg_dump failed (exit ${r.code}):\n${r.stderr.trim()}`);
}

/** Tables of the public schema that hold at least one row (the migrations table does not count). */
export async function tablesWithData(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`,
    );
    const full: string[] = [];
    for (const { name } of rows) {
      const r = await c.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM "${name.replace(/"/g, '""')}") AS any`);
      if (r.rows[0].any) full.push(name);
    }
    return full;
  } finally {
    await c.end();
  }
}

/**
 * Restores `file` into the database at `url`, replacing the objects the dump contains. One transaction:
 * on any error nothing changes. Refuses, unless `yes`, when the database already holds data.
 */
export async function restorePostgres(url: string, file: string, opts: { yes: boolean }): Promise<void> {
  await checkTool("pg_restore", url);
  const full = await tablesWithData(url);
  if (full.length > 0 && !opts.yes) {
    throw new Error(
      `the target database already holds data (${full.slice(0, 5).join(", ")}${full.length > 5 ? ", …" : ""}); ` +
        "restoring replaces all of it. Run again with --yes to go ahead (back it up first: npm run db:backup).",
    );
  }
  const conn = splitPassword(url);
  const r = await run(
    "pg_restore",
    ["--clean", "--if-exists", "--no-owner", "--single-transaction", `--dbname=${conn.url}`, file],
    conn.password,
  );
  if (r.code !== 0) throw new Error(`pg_restore failed (exit ${r.code}); the database was left as it was:\n${r.stderr.trim()}`);
}
