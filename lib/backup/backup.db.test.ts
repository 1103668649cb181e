// Backup → change → restore round trips. PostgreSQL (DATABASE_URL set): pg_dump / pg_restore on a fresh
// test database, restored both over the changed database and into an empty one. Embedded (unset): a
// file-backed PGlite directory in a temp folder (memory:// has no directory to back up).
// Equality is checked on the row count of every table and on a checksum of the full content of a few.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seedBrowseFixture } from "../browse/test-fixture";
import { ensureDataset } from "../datasets/data";
import { openDb, type OpenedDb } from "../db";
import { env } from "../env";
import type { SqlConnection } from "../migrations";
import { createTestDb, type TestDb } from "../test/db";
import { createUser } from "../users/data";
import { backupPglite, restorePglite } from "./pglite";
import { backupPostgres, restorePostgres, tablesWithData } from "./postgres";

const CHECKSUMMED = ["User", "Prompt", "Response", "JudgeLabel", "HumanLabel", "Adjudication", "ResponseHumanFinal", "JudgeCellCount", "AuditLog"];

interface Snapshot {
  counts: Record<string, number>;
  checksums: Record<string, string>;
}

async function snapshot(sql: SqlConnection): Promise<Snapshot> {
  const { rows: tables } = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) counts[name] = Number((await sql.query<{ n: number }>(`SELECT count(*) AS n FROM "${name}"`)).rows[0].n);
  const checksums: Record<string, string> = {};
  for (const name of CHECKSUMMED) {
    const { rows } = await sql.query<{ h: string }>(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${name}" t`);
    checksums[name] = rows[0].h;
  }
  return { counts, checksums };
}

/** Users (one through createUser, with its audit row), datasets, prompts, responses, judge and human labels, adjudications. */
async function seed(t: OpenedDb): Promise<void> {
  await createUser(t.db, { email: "backup-admin@x.org", name: "Backup Admin", password: "correct horse battery", role: "admin" }, null);
  await seedBrowseFixture(t as TestDb);
}

/** Changes of every kind a restore must undo: an edit, a deletion (through the triggers), an insert. */
async function change(t: OpenedDb): Promise<void> {
  await t.sql.query(`UPDATE "Prompt" SET text = text || ' (edited)'`);
  await t.sql.query(`DELETE FROM "Adjudication"`);
  await createUser(t.db, { email: "after-backup@x.org", name: "Later", password: "correct horse battery", role: "annotator" }, null);
  await ensureDataset(t.db, { slug: "after-backup", name: "After backup" });
}

const tmp = mkdtempSync(path.join(tmpdir(), "abstain-backup-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!env().DATABASE_URL)("PostgreSQL backup and restore", () => {
  const opened: TestDb[] = [];
  afterAll(async () => {
    for (const t of opened) await t.close();
  });

  it("restores the backed-up content over a changed database, and into an empty one", async () => {
    const t = await createTestDb();
    opened.push(t);
    await seed(t);
    const before = await snapshot(t.sql);
    expect(before.counts.Response).toBeGreaterThan(0);
    expect(before.counts.HumanLabel).toBeGreaterThan(0);

    const file = path.join(tmp, "pg", "abstain.dump");
    await backupPostgres(t.url!, file);
    expect(existsSync(file)).toBe(true);

    await change(t);
    const changed = await snapshot(t.sql);
    expect(changed.counts.User).toBe(before.counts.User + 1);
    expect(changed.checksums.Prompt).not.toBe(before.checksums.Prompt);

    // A database with data is only overwritten on request.
    await expect(restorePostgres(t.url!, file, { yes: false })).rejects.toThrow(/already holds data.*--yes/);
    expect(await snapshot(t.sql)).toEqual(changed);

    await restorePostgres(t.url!, file, { yes: true });
    expect(await snapshot(t.sql)).toEqual(before);

    // The restored database is one the app opens as is: migrations recorded, nothing re-applied, and
    // the label triggers are back (a new adjudication becomes the response's human final verdict).
    const app = await openDb({ url: t.url! });
    try {
      const responseId = (await app.sql.query<{ id: string }>(
        `SELECT r.id FROM "Response" r WHERE NOT EXISTS (SELECT 1 FROM "Adjudication" a WHERE a."responseId" = r.id) ORDER BY r.id LIMIT 1`,
      )).rows[0].id;
      const adjudicatorId = (await app.db.user.findFirstOrThrow({ where: { email: "backup-admin@x.org" } })).id;
      await app.db.adjudication.create({ data: { responseId, verdict: "partial", adjudicatorId } });
      const final = await app.db.responseHumanFinal.findUniqueOrThrow({ where: { responseId } });
      expect(final).toMatchObject({ verdict: "partial", source: "adjudicated" });
    } finally {
      await app.close();
    }

    // An empty (freshly migrated) database takes the backup without --yes.
    const fresh = await createTestDb();
    opened.push(fresh);
    expect(await tablesWithData(fresh.url!)).toEqual([]);
    await restorePostgres(fresh.url!, file, { yes: false });
    expect(await snapshot(fresh.sql)).toEqual(before);
  });

  it("says so when the file is not a backup", async () => {
    const t = await createTestDb();
    opened.push(t);
    const bogus = path.join(tmp, "not-a-dump.dump");
    writeFileSync(bogus, "hello");
    await expect(restorePostgres(t.url!, bogus, { yes: true })).rejects.toThrow(/pg_restore failed/);
  });
});

describe.skipIf(!!env().DATABASE_URL)("embedded PGlite backup and restore", () => {
  it("replaces the data directory with the backup and keeps the old one", async () => {
    const dir = path.join(tmp, "pglite", "db");
    const file = path.join(tmp, "pglite", "backup.pglite.tar.gz");

    let t = await openDb({ dir });
    await seed(t);
    const before = await snapshot(t.sql);
    expect(before.counts.Response).toBeGreaterThan(0);
    await t.close();

    // While another live process holds the database, both refuse.
    writeFileSync(`${dir}.lock`, String(process.ppid));
    await expect(backupPglite(dir, file)).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
    await expect(restorePglite(dir, file)).rejects.toThrow(/not found|in use/);
    rmSync(`${dir}.lock`);

    await backupPglite(dir, file);
    expect(existsSync(file)).toBe(true);

    t = await openDb({ dir });
    await change(t);
    const changed = await snapshot(t.sql);
    expect(changed.counts.User).toBe(before.counts.User + 1);
    await t.close();

    writeFileSync(`${dir}.lock`, String(process.ppid));
    await expect(restorePglite(dir, file)).rejects.toThrow(/in use by process/);
    rmSync(`${dir}.lock`);

    const { previous } = await restorePglite(dir, file, new Date("2026-01-02T03:04:05Z"));
    expect(previous).toBe(`${path.resolve(dir)}.before-restore-20260102T030405Z`);

    t = await openDb({ dir });
    try {
      expect(await snapshot(t.sql)).toEqual(before);
    } finally {
      await t.close();
    }
    const old = await openDb({ dir: previous! });
    try {
      expect(await snapshot(old.sql)).toEqual(changed);
    } finally {
      await old.close();
    }
  });

  it("refuses a file that is not a backup and leaves the data directory alone", async () => {
    const dir = path.join(tmp, "pglite2", "db");
    const t = await openDb({ dir });
    await ensureDataset(t.db, { slug: "kept", name: "Kept" });
    await t.close();
    const bogus = path.join(tmp, "pglite2", "bogus.tar.gz");
    writeFileSync(bogus, "hello");
    await expect(restorePglite(dir, bogus)).rejects.toThrow(/not a readable embedded-database backup/);
    // Nothing moved aside, no half-loaded directory left behind, the lock released.
    expect(readdirSync(path.dirname(dir)).sort()).toEqual(["bogus.tar.gz", "db"]);
    const again = await openDb({ dir });
    try {
      expect(await again.db.dataset.count({ where: { slug: "kept" } })).toBe(1);
    } finally {
      await again.close();
    }
  });
});
