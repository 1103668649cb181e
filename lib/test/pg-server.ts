// A throw-away PostgreSQL server for fault tests (`*.faults.test.ts`): its own data directory under the system
// temp folder, its own port, stopped and started at will. The shared server on 5432 is never touched.
//
// Debian's initdb / pg_ctl (/usr/lib/postgresql/<version>/bin, newest first, or PATH). PostgreSQL refuses to run
// as root, so as root every command runs as the `postgres` user (runuser), which then owns the directory.
// Clean-up: destroy() stops the server and removes the directory; a process exit stops it as well (synchronously);
// a directory left behind by a killed test run (its owner process gone) is removed by the next startPgServer().
import { execFile, spawnSync } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { isAlive } from "../process-alive";

const run = promisify(execFile);
const PREFIX = "abstain-faults-pg-";

export interface PgServer {
  port: number;
  dataDir: string;
  /** Connection string of database `db` on this server (trust authentication, user postgres). */
  url(db?: string): string;
  /** Creates a database (a fresh name unless given) and returns its URL. The server must be up. */
  createDatabase(name?: string): Promise<string>;
  /**
   * Stops the server. `fast` (default) is what a service restart does: sessions are terminated (57P01), then
   * the server exits. `immediate` is a crash: connections drop without a word, and the next start recovers.
   */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts the server; resolves once it accepts connections. */
  start(): Promise<void>;
  restart(mode?: "fast" | "immediate"): Promise<void>;
  /** Stops the server, keeps it down for `ms`, starts it again. */
  down(ms: number, mode?: "fast" | "immediate"): Promise<void>;
  running(): boolean;
  /** Stops the server and removes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

interface Tools {
  bin: string;
  /** Prefix that runs a command as the postgres user (empty when not root). */
  asUser: string[];
  uid: number | null;
  gid: number | null;
}

let toolsMemo: Tools | string | undefined;

function findTools(): Tools | string {
  if (toolsMemo !== undefined) return toolsMemo;
  const versions = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql").filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    : [];
  let bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/initdb`) && existsSync(`${d}/pg_ctl`));
  if (!bin) {
    const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
    if (which.status === 0 && which.stdout.trim()) bin = path.dirname(which.stdout.trim());
  }
  if (!bin) return (toolsMemo = "PostgreSQL server tools (initdb, pg_ctl) are not installed: apt-get install postgresql-15");
  if (process.getuid?.() !== 0) return (toolsMemo = { bin, asUser: [], uid: null, gid: null });
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status !== 0) return (toolsMemo = "running as root, and there is no postgres user to run a PostgreSQL server as");
  if (spawnSync("sh", ["-c", "command -v runuser"]).status !== 0) return (toolsMemo = "running as root without runuser (util-linux) to start PostgreSQL as the postgres user");
  return (toolsMemo = { bin, asUser: ["runuser", "-u", "postgres", "--"], uid: Number(id.stdout), gid: Number(gid.stdout) });
}

/** Why fault tests cannot run here, or null when they can. */
export function pgServerUnavailable(): string | null {
  const t = findTools();
  return typeof t === "string" ? t : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function stopSync(t: Tools, dataDir: string): void {
  if (existsSync(path.join(dataDir, "postmaster.pid"))) {
    const [cmd, ...args] = [...t.asUser, `${t.bin}/pg_ctl`, "-D", dataDir, "-m", "immediate", "-w", "stop"];
    spawnSync(cmd, args, { stdio: "ignore" });
  }
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
}

/** Directories of earlier runs whose test process is gone (killed before its clean-up ran). */
function removeOrphans(t: Tools): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const root = path.join(tmpdir(), name);
    let owner = 0;
    try {
      owner = Number(readFileSync(path.join(root, "owner.pid"), "utf8"));
    } catch {
      /* no owner file: being created right now, or not ours */
      continue;
    }
    if (owner && !isAlive(owner)) stopSync(t, path.join(root, "data"));
  }
}

export async function startPgServer(): Promise<PgServer> {
  const t = findTools();
  if (typeof t === "string") throw new Error(t);
  removeOrphans(t);
  const root = mkdtempSync(path.join(tmpdir(), PREFIX));
  writeFileSync(path.join(root, "owner.pid"), String(process.pid));
  if (t.uid !== null) chownSync(root, t.uid, t.gid!);
  const dataDir = path.join(root, "data");
  const logFile = path.join(root, "server.log");
  const port = await freePort();
  // Asynchronous, so that the code under test keeps running (and meets the outage) while the server stops.
  const sh = (cmd: string, args: string[]) => {
    const [first, ...rest] = [...t.asUser, cmd, ...args];
    return run(first, rest);
  };
  const pgCtl = (...args: string[]) => sh(`${t.bin}/pg_ctl`, ["-D", dataDir, ...args]);

  let up = false;
  let destroyed = false;
  const onExit = () => {
    if (!destroyed) stopSync(t, dataDir);
  };
  process.once("exit", onExit);

  try {
    await sh(`${t.bin}/initdb`, ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    // Small and fast: nothing here needs durability across a power cut, only across a server restart (which
    // fsync=off keeps: a clean or immediate stop loses nothing the OS had been given).
    const conf = [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      `fsync = off`,
      `full_page_writes = off`,
      `max_connections = 60`,
      `shared_buffers = 64MB`,
      `logging_collector = off`,
    ].join("\n");
    appendFileSync(path.join(dataDir, "postgresql.conf"), `\n${conf}\n`); // root may write it; the owner stays postgres
  } catch (err) {
    onExit();
    process.removeListener("exit", onExit);
    throw err;
  }

  const server: PgServer = {
    port,
    dataDir,
    url: (db = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${db}`,
    async createDatabase(name = `abstain_faults_${Math.random().toString(36).slice(2, 10)}`) {
      const c = new pg.Client({ connectionString: server.url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return server.url(name);
    },
    async start() {
      await pgCtl("-l", logFile, "-w", "-t", "60", "start");
      up = true;
    },
    async stop(mode = "fast") {
      up = false;
      await pgCtl("-m", mode, "-w", "-t", "60", "stop");
    },
    async restart(mode = "fast") {
      await server.stop(mode);
      await server.start();
    },
    async down(ms, mode = "fast") {
      await server.stop(mode);
      await new Promise((r) => setTimeout(r, ms));
      await server.start();
    },
    running: () => up,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      process.removeListener("exit", onExit);
      if (existsSync(path.join(dataDir, "postmaster.pid"))) await pgCtl("-m", "immediate", "-w", "stop").catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (err) {
    const logText = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
    await server.destroy();
    throw new Error(`the throw-away PostgreSQL server did not start: ${(err as Error).message}\n${logText}`);
  }
  return server;
}
