// Rubric edits: a new version each time, old versions untouched, audited, admins only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allows, ROUTES } from "../auth/access";
import { AppError } from "../errors";
import { createTestDb, type TestDb } from "../test/db";
import { createUser } from "../users/data";
import { currentRubric, currentRubrics, listRubricVersions, rubricVersionCounts, updateRubric } from "./rubric";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function user(role: "admin" | "researcher" | "annotator") {
  return createUser(t.db, { email: `${role}-${unique()}@example.org`, name: role, password: "a-long-password", role }, null);
}

/** A subcategory with rubric version 1, as the seed stores it. */
async function subcategory() {
  const u = unique();
  const cat = await t.db.category.create({ data: { slug: `cat ${u}`, name: "Cat", definition: "d", noncompliance: "n" } });
  const sub = await t.db.subcategory.create({
    data: { categoryId: cat.id, slug: `sub ${u}`, name: "Sub", definition: "d", expectedBehaviour: "e" },
  });
  const v1 = await t.db.rubricVersion.create({
    data: { subcategoryId: sub.id, version: 1, acceptable: "Refuses (v1).", unacceptable: "Complies (v1).", rubricKey: `sub ${u}` },
  });
  return { sub, v1 };
}

describe("updateRubric", () => {
  it("saves an edit as version 2 by the admin and leaves version 1 as it was", async () => {
    const admin = await user("admin");
    const { sub, v1 } = await subcategory();
    const res = await updateRubric(t.db, sub.id, { acceptable: "Refuses or asks (v2).", unacceptable: "Complies (v2).", baseVersion: 1 }, admin.id);
    expect(res.created).toBe(true);
    expect(res.rubric).toMatchObject({ version: 2, acceptable: "Refuses or asks (v2).", unacceptable: "Complies (v2).", createdBy: { id: admin.id } });
    expect(res.rubric.rubricKey).toBe(v1.rubricKey);

    const { rows } = await t.sql.query<{ id: string; version: number; acceptable: string; unacceptable: string; createdById: string | null }>(
      `SELECT id, version, acceptable, unacceptable, "createdById" FROM "RubricVersion" WHERE "subcategoryId" = $1 ORDER BY version`,
      [sub.id],
    );
    expect(rows).toEqual([
      { id: v1.id, version: 1, acceptable: "Refuses (v1).", unacceptable: "Complies (v1).", createdById: null },
      { id: res.rubric.id, version: 2, acceptable: "Refuses or asks (v2).", unacceptable: "Complies (v2).", createdById: admin.id },
    ]);
    expect((await currentRubric(t.db, sub.id))?.version).toBe(2);
    expect((await listRubricVersions(t.db, sub.id)).map((v) => v.version)).toEqual([2, 1]);
    expect((await rubricVersionCounts(t.db)).get(sub.id)).toBe(2);
    expect((await currentRubrics(t.db, [sub.id])).get(sub.id)).toMatchObject({ id: res.rubric.id, version: 2 });

    const audit = await t.sql.query<{ actorId: string; before: unknown; after: unknown }>(
      `SELECT "actorId", before, after FROM "AuditLog" WHERE action = 'rubric.update' AND "entityId" = $1`,
      [sub.id],
    );
    expect(audit.rows).toEqual([
      {
        actorId: admin.id,
        before: { version: 1, acceptable: "Refuses (v1).", unacceptable: "Complies (v1)." },
        after: { version: 2, acceptable: "Refuses or asks (v2).", unacceptable: "Complies (v2)." },
      },
    ]);
  });

  it("refuses researchers and annotators and writes nothing", async () => {
    const { sub } = await subcategory();
    for (const role of ["researcher", "annotator"] as const) {
      const u = await user(role);
      const err = await updateRubric(t.db, sub.id, { acceptable: "x", unacceptable: "y" }, u.id).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("forbidden");
    }
    const { rows } = await t.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "RubricVersion" WHERE "subcategoryId" = $1`, [sub.id]);
    expect(rows[0].n).toBe(1);
  });

  it("allows only admins to call the rubric API", () => {
    const entry = ROUTES.find((r) => r.path === "/api/taxonomy/rubrics/[subcategoryId]")!;
    expect(entry).toMatchObject({ kind: "api", methods: ["PUT"] });
    expect(allows(entry.roles, "admin")).toBe(true);
    expect(allows(entry.roles, "researcher")).toBe(false);
    expect(allows(entry.roles, "annotator")).toBe(false);
    expect(allows(entry.roles, null)).toBe(false);
  });

  it("refuses an edit made from an older version, so a second admin cannot overwrite the first unseen", async () => {
    const admin = await user("admin");
    const { sub } = await subcategory();
    await updateRubric(t.db, sub.id, { acceptable: "First admin.", unacceptable: "Complies.", baseVersion: 1 }, admin.id);
    const err = await updateRubric(t.db, sub.id, { acceptable: "Second admin.", unacceptable: "Complies.", baseVersion: 1 }, admin.id).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("conflict");
    expect((await currentRubric(t.db, sub.id))?.acceptable).toBe("First admin.");
  });

  it("stores nothing when the text is unchanged (after trimming)", async () => {
    const admin = await user("admin");
    const { sub } = await subcategory();
    const res = await updateRubric(t.db, sub.id, { acceptable: "  Refuses (v1).\n", unacceptable: "Complies (v1)." }, admin.id);
    expect(res.created).toBe(false);
    expect(res.rubric.version).toBe(1);
    expect((await listRubricVersions(t.db, sub.id)).length).toBe(1);
  });

  it("rejects empty text with the field named, and an unknown subcategory", async () => {
    const admin = await user("admin");
    const { sub } = await subcategory();
    await expect(updateRubric(t.db, sub.id, { acceptable: "   ", unacceptable: "y" }, admin.id)).rejects.toThrow(/acceptable must not be empty/);
    const err = await updateRubric(t.db, "no-such-subcategory", { acceptable: "x", unacceptable: "y" }, admin.id).catch((e) => e);
    expect((err as AppError).code).toBe("not_found");
  });
});
