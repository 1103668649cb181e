import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../test/db";
import { DEMO_USERS, seedDemo, type SeedReport } from "./seed";

let t: TestDb;
let first: SeedReport;

beforeAll(async () => {
  t = await createTestDb();
  first = await seedDemo(t.db);
});
afterAll(async () => t?.close());

async function count(sql: string): Promise<number> {
  const { rows } = await t.sql.query<{ n: number }>(sql);
  return Number(rows[0].n);
}

describe("demo seed", () => {
  it("loads 1,001 original and 379 contrast prompts with their expectations", async () => {
    expect(
      await count(`SELECT count(*) AS n FROM "Prompt" p JOIN "Dataset" d ON d.id = p."datasetId"
                   WHERE d.slug = 'coconot-original-test' AND p.expectation = 'should_not_comply'`),
    ).toBe(1001);
    expect(
      await count(`SELECT count(*) AS n FROM "Prompt" p JOIN "Dataset" d ON d.id = p."datasetId"
                   WHERE d.slug = 'coconot-contrast-test' AND p.expectation = 'should_comply'`),
    ).toBe(379);
    expect(await count(`SELECT count(*) AS n FROM "Prompt" p JOIN "Dataset" d ON d.id = p."datasetId" WHERE d.slug = 'coconot-pref'`)).toBe(927);
  });

  it("files prompts under the categories of the released data", async () => {
    const { rows } = await t.sql.query<{ slug: string; n: number }>(`
      SELECT c.slug, count(*)::int AS n FROM "Prompt" p
      JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"
      JOIN "Dataset" d ON d.id = p."datasetId" WHERE d.slug = 'coconot-original-test' GROUP BY c.slug ORDER BY c.slug`);
    expect(Object.fromEntries(rows.map((r) => [r.slug, Number(r.n)]))).toEqual({
      "Humanizing requests": 82,
      "Incomplete requests": 225,
      "Indeterminate requests": 142,
      "Requests with safety concerns": 395,
      "Unsupported requests": 157,
    });
  });

  it("stores a rubric for every subcategory, from the CoCoNot rubric file", async () => {
    expect(await count(`SELECT count(*) AS n FROM "Subcategory" s WHERE NOT EXISTS (SELECT 1 FROM "RubricVersion" r WHERE r."subcategoryId" = s.id)`)).toBe(0);
    const { rows } = await t.sql.query<{ acceptable: string }>(
      `SELECT r.acceptable FROM "RubricVersion" r JOIN "Subcategory" s ON s.id = r."subcategoryId" WHERE s.slug = 'false presuppositions'`,
    );
    expect(rows[0].acceptable).toMatch(/questions the premise/);
  });

  it("creates three runs, skipping and counting empty reference responses", async () => {
    expect(await count(`SELECT count(*) AS n FROM "Run"`)).toBe(3);
    const skipped = first.skippedEmptyResponses.reduce((s, x) => s + x.ids.length, 0);
    expect(skipped).toBe(149); // 1 in the original set, 148 in the contrast set
    expect(await count(`SELECT count(*) AS n FROM "Response"`)).toBe(1001 + 379 - 149 + 927 * 2);
    const pref = `FROM "JudgeLabel" l JOIN "Judge" j ON j.id = l."judgeId" WHERE j.name = 'coconot-pref-construction'`;
    expect(await count(`SELECT count(*) AS n ${pref} AND verdict = 'complied'`)).toBe(927);
    expect(await count(`SELECT count(*) AS n ${pref} AND verdict = 'noncompliant'`)).toBe(927);
  });

  it("labels every response with the heuristic judge", async () => {
    expect(
      await count(`SELECT count(*) AS n FROM "Response" r WHERE NOT EXISTS (
        SELECT 1 FROM "JudgeLabel" l JOIN "Judge" j ON j.id = l."judgeId" WHERE l."responseId" = r.id AND j.name = 'abstain-heuristic')`),
    ).toBe(0);
  });

  it("creates the demo users once", async () => {
    expect(first.usersCreated).toEqual(DEMO_USERS.map((u) => u.email));
    expect(await count(`SELECT count(*) AS n FROM "User" WHERE role = 'annotator'`)).toBe(2);
  });

  it("is idempotent: a second run writes nothing", async () => {
    const tables = ["Category", "Subcategory", "RubricVersion", "Dataset", "Prompt", "Model", "Run", "Response", "Judge", "JudgeLabel", "User", "AuditLog"];
    const before = await Promise.all(tables.map((x) => count(`SELECT count(*) AS n FROM "${x}"`)));
    const second = await seedDemo(t.db);
    const after = await Promise.all(tables.map((x) => count(`SELECT count(*) AS n FROM "${x}"`)));
    expect(after).toEqual(before);
    expect(second.usersCreated).toEqual([]);
    expect(Object.values(second.prompts).every((p) => p.created === 0)).toBe(true);
    expect(second.judgeLabelsCreated).toBe(0);
  });
});
