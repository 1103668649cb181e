import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, listMigrations, migrationsDir } from "./migrations";
import { createTestDb, type TestDb } from "./test/db";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(); // opening applies the migrations
});
afterAll(async () => t?.close());

describe("migration runner", () => {
  it("records every migration with the checksum prisma migrate writes (sha256 of the file)", async () => {
    const onDisk = await listMigrations();
    const { rows } = await t.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(onDisk.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it("applies nothing the second time", async () => {
    const r = await applyMigrations(t.sql);
    expect(r.applied).toEqual([]);
    expect(r.skipped.length).toBe((await listMigrations()).length);
  });

  it("refuses to run when an applied migration was edited, naming it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "abstain-migrations-"));
    cpSync(migrationsDir(), dir, { recursive: true });
    const [first] = await listMigrations(dir);
    writeFileSync(path.join(dir, first.name, "migration.sql"), `${first.sql}\n-- edited\n`);
    await expect(applyMigrations(t.sql, dir)).rejects.toThrow(new RegExp(`Migration ${first.name} was changed after it was applied`));
  });

  it("rolls back a failing migration entirely and says which one failed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "abstain-migrations-"));
    cpSync(migrationsDir(), dir, { recursive: true });
    const name = "29991231000000_broken";
    cpSync(path.join(dir, (await listMigrations(dir))[0].name), path.join(dir, name), { recursive: true });
    writeFileSync(path.join(dir, name, "migration.sql"), `CREATE TABLE "ShouldVanish" (id int);\nSELECT * FROM "NoSuchTable";\n`);
    await expect(applyMigrations(t.sql, dir)).rejects.toThrow(/Migration 29991231000000_broken failed and was rolled back/);
    const { rows } = await t.sql.query(`SELECT to_regclass('"ShouldVanish"') AS t`);
    expect((rows[0] as { t: unknown }).t).toBeNull();
    const recorded = await t.sql.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1`, [name]);
    expect(recorded.rows).toHaveLength(0);
  });
});
