// Test databases. With DATABASE_URL set, each test file gets a fresh database on that server (created
// from the URL's credentials, dropped afterwards); without it, a fresh in-memory PGlite. Migrations are
// applied either way, so tests see exactly the schema the app runs on.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDb, type OpenedDb } from "../db";
import { env } from "../env";

export interface TestDb extends OpenedDb {
  /** The connection string of the fresh database (PostgreSQL only). */
  url?: string;
}

export async function createTestDb(): Promise<TestDb> {
  const base = env().DATABASE_URL;
  if (!base) return openDb({ dir: "memory://" });
  const name = `abstain_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  const opened = await openDb({ url: u.toString() });
  return {
    ...opened,
    url: u.toString(),
    close: async () => {
      await opened.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        // pool.end() resolves before its sockets have closed; FORCE would kill them mid-goodbye (an
        // uncaught error in pg). Wait for them to leave, and only force after a few seconds.
        for (let i = 0; ; i++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS "${name}"${i >= 50 ? " WITH (FORCE)" : ""}`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== "55006" || i >= 50) throw err; // 55006: in use
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
