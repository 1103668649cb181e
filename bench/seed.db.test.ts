// COPY needs a real PostgreSQL server, so on embedded PGlite this file skips; run it with
// DATABASE_URL=postgresql://… to exercise the seeding path.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDb } from "../lib/test/db";
import { planCorpus, TABLES } from "./corpus";
import { loadCoconotShape, seedBench } from "./seed";

const db = await createTestDb();
afterAll(() => db.close());

const count = async (sql: string) => Number((await db.sql.query<{ n: string }>(sql)).rows[0].n);

describe("seedBench", () => {
  it.skipIf(db.kind === "pglite")("loads every generated row and every CoCoNot subcategory", async () => {
    const lines: string[] = [];
    const summary = await seedBench({ url: db.url!, responses: 2000, seed: 7, log: (l) => lines.push(l) });

    // The plan says how many rows each table should get; the database must hold exactly those.
    const { strata, rubric } = loadCoconotShape();
    const corpus = planCorpus({ seed: 7, responses: 2000, strata, rubric });
    for (const t of TABLES) {
      const expected = [...t.rows(corpus, 0, corpus.responses)].length;
      expect(await count(`SELECT count(*) AS n FROM "${t.name}"`), t.name).toBe(expected);
      expect(summary.counts[t.name], t.name).toBe(expected);
    }
    expect(await count(`SELECT count(*) AS n FROM "Response"`)).toBe(2000);
    expect(await count(`SELECT count(*) AS n FROM "Run"`)).toBe(2); // 1380 + 620
    expect(await count(`SELECT count(*) AS n FROM "Prompt" WHERE expectation = 'should_not_comply'`)).toBe(1001);
    expect(await count(`SELECT count(*) AS n FROM "Adjudication"`)).toBeGreaterThan(0);
    const byNonAnnotators = `SELECT count(*) AS n FROM "HumanLabel" h JOIN "User" u ON u.id = h."annotatorId"
                              WHERE u.role <> 'annotator'`;
    expect(await count(byNonAnnotators)).toBe(0);

    // Every (category, subcategory, expectation) of the data files has responses.
    const { rows } = await db.sql.query<{ category: string; subcategory: string; expectation: string }>(
      `SELECT DISTINCT c.slug AS category, s.slug AS subcategory, p.expectation::text AS expectation
         FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
         JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"`,
    );
    const seen = new Set(rows.map((r) => `${r.category}/${r.subcategory}/${r.expectation}`));
    expect(seen.size).toBe(strata.length);
    for (const s of strata) expect(seen, s.subcategory).toContain(`${s.category}/${s.subcategory}/${s.expectation}`);

    // COPY escaping survived the round trip: texts keep their newlines and backslashes.
    expect(await count(`SELECT count(*) AS n FROM "Response" WHERE text LIKE E'%\\n%'`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM "Response" WHERE text LIKE E'%C:\\\\\\\\Users%'`)).toBeGreaterThan(0);
    expect(lines.some((l) => /^Response: 2,000 rows .* rows\/s\)$/.test(l))).toBe(true);

    // A second run without --fresh refuses instead of colliding with the corpus already there.
    await expect(seedBench({ url: db.url!, responses: 10, log: () => {} })).rejects.toThrow(/already holds a bench corpus/);
  });
});
