// Test databases. With DATABASE_URL set, each test file gets a fresh database on that server (created
// from the URL's credentials, dropped afterwards); without it, a fresh in-memory PGlite. Migrations are
// applied either way, so tests see exactly the schema the app runs on.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDb, type OpenedDb } from "../db";

export interface TestDb extends OpenedDb {
  /** The connection string of the fresh database (PostgreSQL only). */
  url?: string;
}

export async function createTestDb(): Promise<TestDb> {
  const base = process.env.DATABASE_URL?.trim();
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
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
