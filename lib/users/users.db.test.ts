import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createTestDb, type TestDb } from "../test/db";
import { createUser, listUsers, updateUser } from "./data";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

const unique = () => Math.random().toString(36).slice(2, 10);

describe("users", () => {
  it("stores the email in lower case and never the password itself", async () => {
    const email = `Mixed.${unique()}@Example.ORG`;
    const u = await createUser(t.db, { email, name: "Mixed Case", password: "correct horse battery", role: "annotator" }, null);
    expect(u.email).toBe(email.toLowerCase());
    expect(u).not.toHaveProperty("passwordHash");
    const { rows } = await t.sql.query<{ passwordHash: string }>(`SELECT "passwordHash" FROM "User" WHERE id = $1`, [u.id]);
    expect(rows[0].passwordHash).toMatch(/^\$2[aby]\$10\$/);
    expect(rows[0].passwordHash).not.toContain("correct horse");
    expect((await listUsers(t.db)).find((x) => x.id === u.id)).not.toHaveProperty("passwordHash");
  });

  it("refuses a second user with the same email (any case) and keeps the first", async () => {
    const email = `dup-${unique()}@example.org`;
    const first = await createUser(t.db, { email, name: "First", password: "a-long-password", role: "researcher" }, null);
    await expect(createUser(t.db, { email: email.toUpperCase(), name: "Second", password: "another-password", role: "admin" }, null)).rejects.toThrow(
      `A user with the email ${email} already exists.`,
    );
    const { rows } = await t.sql.query<{ name: string; role: string }>(`SELECT name, role FROM "User" WHERE email = $1`, [email]);
    expect(rows).toEqual([{ name: "First", role: "researcher" }]);
    expect(first.role).toBe("researcher");
  });

  it("rejects invalid input with the field named", async () => {
    await expect(createUser(t.db, { email: "not-an-email", name: "X", password: "a-long-password", role: "admin" }, null)).rejects.toThrow(/email/);
    await expect(createUser(t.db, { email: `${unique()}@example.org`, name: "X", password: "short", role: "admin" }, null)).rejects.toThrow(
      /at least 10 characters/,
    );
  });

  it("changes a role and writes an audit entry with before and after", async () => {
    const u = await createUser(t.db, { email: `role-${unique()}@example.org`, name: "R", password: "a-long-password", role: "annotator" }, null);
    const actor = await createUser(t.db, { email: `actor-${unique()}@example.org`, name: "A", password: "a-long-password", role: "admin" }, null);
    const after = await updateUser(t.db, { id: u.id, role: "researcher" }, actor.id);
    expect(after.role).toBe("researcher");
    const { rows } = await t.sql.query<{ actorId: string; before: unknown; after: unknown }>(
      `SELECT "actorId", before, after FROM "AuditLog" WHERE "entityId" = $1 AND action = 'user.update'`,
      [u.id],
    );
    expect(rows).toEqual([{ actorId: actor.id, before: { role: "annotator", active: true }, after: { role: "researcher", active: true } }]);
  });

  it("never demotes or deactivates the last active admin", async () => {
    // A database of its own, so other tests' admins do not count.
    const own = await createTestDb();
    try {
      const admin = await createUser(own.db, { email: "only-admin@example.org", name: "Only", password: "a-long-password", role: "admin" }, null);
      for (const change of [{ role: "researcher" as const }, { active: false }]) {
        const err = await updateUser(own.db, { id: admin.id, ...change }, null).catch((e) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe("conflict");
      }
      const second = await createUser(own.db, { email: "second-admin@example.org", name: "Two", password: "a-long-password", role: "admin" }, null);
      expect((await updateUser(own.db, { id: admin.id, active: false }, second.id)).active).toBe(false);
    } finally {
      await own.close();
    }
  });
});
