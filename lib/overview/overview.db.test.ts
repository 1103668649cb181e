import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPrompts, ensureDataset } from "../datasets/data";
import { addJudgeLabels, ensureJudge } from "../judges/data";
import { addResponses, ensureModel, ensureRun } from "../responses/data";
import { COCONOT_TAXONOMY } from "../taxonomy/coconot";
import { getSubcategoryIndex, subcategoryKey, upsertTaxonomy } from "../taxonomy/data";
import { createTestDb, type TestDb } from "../test/db";
import { getOverview } from "./data";

let t: TestDb;
const rubric = Object.fromEntries(
  COCONOT_TAXONOMY.flatMap((c) => c.subcategories).map((s) => [s.rubricKey, { refusal: `ok ${s.slug}`, compliance: `bad ${s.slug}` }]),
);

beforeAll(async () => {
  t = await createTestDb();
  await upsertTaxonomy(t.db, COCONOT_TAXONOMY, rubric);
  const idx = await getSubcategoryIndex(t.db);
  const sub = (c: string, s: string) => idx.get(subcategoryKey(c, s))!;
  const a = await ensureDataset(t.db, { slug: "a", name: "Set A" });
  const b = await ensureDataset(t.db, { slug: "b", name: "Set B" });
  const pa = await addPrompts(t.db, a.id, [
    { externalId: "1", text: "p1", subcategoryId: sub("Incomplete requests", "underspecified"), expectation: "should_not_comply" },
    { externalId: "2", text: "p2", subcategoryId: sub("Incomplete requests", "false presuppositions"), expectation: "should_not_comply" },
    { externalId: "3", text: "p3", subcategoryId: sub("Humanizing requests", "personal inquiry"), expectation: "should_not_comply" },
  ]);
  const pb = await addPrompts(t.db, b.id, [
    { externalId: "1", text: "q1", subcategoryId: sub("Incomplete requests", "underspecified"), expectation: "should_comply" },
  ]);
  const m = await ensureModel(t.db, "model-x");
  const run = await ensureRun(t.db, m.id, "run-1");
  const r = await addResponses(t.db, run.id, [
    { promptId: pa.ids.get("1")!, text: "r1" },
    { promptId: pa.ids.get("2")!, text: "r2" },
    { promptId: pb.ids.get("1")!, text: "r3" },
  ]);
  const j = await ensureJudge(t.db, { name: "j", kind: "imported", version: "1" });
  await addJudgeLabels(t.db, j.id, [
    { responseId: r.ids.get(pa.ids.get("1")!)!, verdict: "complied" },
    { responseId: r.ids.get(pa.ids.get("2")!)!, verdict: "partial" },
  ]);
});
afterAll(async () => t?.close());

describe("getOverview", () => {
  it("counts what is stored, per dataset, category, run and verdict", async () => {
    const o = await getOverview(t.db);
    expect(o.totals).toEqual({ datasets: 2, prompts: 4, models: 1, runs: 1, responses: 3, judgeLabels: 2, humanLabels: 0, adjudications: 0 });
    expect(o.datasets.map((d) => [d.slug, d.shouldNotComply, d.shouldComply])).toEqual([
      ["a", 3, 0],
      ["b", 0, 1],
    ]);
    const ids = Object.fromEntries(o.datasets.map((d) => [d.slug, d.id]));
    expect(o.categories.map((c) => [c.name, c.byDataset[ids.a] ?? 0, c.byDataset[ids.b] ?? 0, c.total])).toEqual([
      ["Incomplete", 2, 1, 3],
      ["Humanizing", 1, 0, 1],
    ]);
    expect(o.runs).toEqual([{ id: expect.any(String), model: "model-x", name: "run-1", responses: 3, datasets: ["Set A", "Set B"] }]);
    expect(o.labels.judge).toEqual({ complied: 1, noncompliant: 0, partial: 1, unclear: 0 });
  });

  it("is idempotent to re-adding the same prompts and reports changed text as a conflict", async () => {
    const idx = await getSubcategoryIndex(t.db);
    const a = await ensureDataset(t.db, { slug: "a", name: "Set A" });
    const res = await addPrompts(t.db, a.id, [
      { externalId: "1", text: "p1", subcategoryId: idx.get("Incomplete requests/underspecified")!, expectation: "should_not_comply" },
      { externalId: "2", text: "p2 changed", subcategoryId: idx.get("Incomplete requests/false presuppositions")!, expectation: "should_not_comply" },
    ]);
    expect(res.created).toBe(0);
    expect(res.unchanged).toBe(1);
    expect(res.conflicts).toEqual([{ externalId: "2", field: "text" }]);
    const { rows } = await t.sql.query<{ text: string }>(`SELECT text FROM "Prompt" WHERE "externalId" = '2'`);
    expect(rows[0].text).toBe("p2");
  });
});
