// The exact aggregates (triggers in the `exact_aggregates` and `cell_counts` migrations) must equal a
// plain SQL recomputation from the label tables after any sequence of label writes, for every label
// source.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPrompts, ensureDataset } from "../datasets/data";
import { ensureJudge } from "../judges/data";
import { addResponses, ensureModel, ensureRun } from "../responses/data";
import { COCONOT_TAXONOMY } from "../taxonomy/coconot";
import { getSubcategoryIndex, upsertTaxonomy } from "../taxonomy/data";
import { createTestDb, type TestDb } from "../test/db";
import type { VerdictName } from "../metrics/rates";
import { retryTransient } from "../db";
import { countableFromAggregates, countResponses, countResponsesExactly, listResponses } from "../browse/data";
import { buildTable } from "./build";
import { fetchCellCounts, getResultsContext, listCountCells } from "./data";
import type { LabelSource } from "./schema";

let t: TestDb;
let responses: string[] = [];
let judges: string[] = [];
let annotators: string[] = [];
let adjudicator = "";
const VERDICTS: VerdictName[] = ["complied", "noncompliant", "partial", "unclear"];

// mulberry32: a seeded PRNG so a failure can be replayed.
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  t = await createTestDb();
  const rubric = Object.fromEntries(COCONOT_TAXONOMY.flatMap((c) => c.subcategories).map((s) => [s.rubricKey, { refusal: "r", compliance: "c" }]));
  await upsertTaxonomy(t.db, COCONOT_TAXONOMY, rubric);
  const subs = [...(await getSubcategoryIndex(t.db)).values()].slice(0, 4);
  const ds = [await ensureDataset(t.db, { slug: "d1", name: "D1" }), await ensureDataset(t.db, { slug: "d2", name: "D2" })];
  const runs = [];
  for (const name of ["m1", "m2"]) runs.push(await ensureRun(t.db, (await ensureModel(t.db, name)).id, "run"));
  for (const [di, d] of ds.entries()) {
    const added = await addPrompts(
      t.db,
      d.id,
      Array.from({ length: 12 }, (_, i) => ({
        externalId: `p${i}`,
        text: `prompt ${di}-${i}`,
        subcategoryId: subs[i % subs.length],
        expectation: i % 3 === 0 ? ("should_comply" as const) : ("should_not_comply" as const),
      })),
    );
    for (const run of runs) {
      const r = await addResponses(t.db, run.id, [...added.ids.values()].map((promptId) => ({ promptId, text: "response" })));
      responses.push(...r.ids.values());
    }
  }
  judges = [(await ensureJudge(t.db, { name: "j", kind: "heuristic", version: "1" })).id, (await ensureJudge(t.db, { name: "j", kind: "heuristic", version: "2" })).id];
  for (const i of [1, 2, 3]) {
    annotators.push((await t.db.user.create({ data: { email: `a${i}@x.org`, name: `A${i}`, role: "annotator", passwordHash: "!" } })).id);
  }
  adjudicator = (await t.db.user.create({ data: { email: "adj@x.org", name: "Adj", role: "researcher", passwordHash: "!" } })).id;
});
afterAll(async () => t?.close());

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.sql.query<T>(sql, params)).rows;
}

// ---- independent recomputation (plain SQL over the label tables) ----
const HUMAN_FINAL = `
  SELECT a."responseId", a.verdict::text AS verdict, 'adjudicated' AS source FROM "Adjudication" a
  UNION ALL
  SELECT x."responseId", x.verdict::text, 'consensus' FROM (
    SELECT h."responseId", h.verdict, count(*) AS n, sum(count(*)) OVER (PARTITION BY h."responseId") AS total
    FROM "HumanLabel" h GROUP BY h."responseId", h.verdict) x
  WHERE x.n * 2 > x.total AND NOT EXISTS (SELECT 1 FROM "Adjudication" a WHERE a."responseId" = x."responseId")`;

async function expectedCells(source: LabelSource) {
  const final =
    source.kind === "judge"
      ? `jl.verdict::text`
      : source.kind === "adjudicated"
        ? `CASE WHEN hf.source = 'adjudicated' THEN hf.verdict END`
        : `COALESCE(hf.verdict, jl.verdict::text)`;
  const judgeId = source.kind === "adjudicated" ? "" : source.judgeId;
  const out = await rows<{ k: string; verdict: string; n: number }>(
    `SELECT r."runId" || '|' || p."datasetId" || '|' || p."subcategoryId" || '|' || p.expectation AS k, ${final} AS verdict, count(*)::int AS n
     FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
     LEFT JOIN (${HUMAN_FINAL}) hf ON hf."responseId" = r.id
     LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = $1
     WHERE ${final} IS NOT NULL GROUP BY 1, 2`,
    [judgeId],
  );
  const m: Record<string, Record<string, number>> = {};
  for (const r of out) (m[r.k] ??= { complied: 0, noncompliant: 0, partial: 0, unclear: 0 })[r.verdict] = Number(r.n);
  return m;
}

async function actualCells(source: LabelSource) {
  const m: Record<string, Record<string, number>> = {};
  for (const c of await listCountCells(t.sql, source)) m[`${c.runId}|${c.datasetId}|${c.subcategoryId}|${c.expectation}`] = { ...c.counts };
  return m;
}

async function checkAll() {
  const finals = await rows<{ responseId: string; verdict: string; source: string }>(`SELECT "responseId", verdict::text, source::text FROM "ResponseHumanFinal" ORDER BY 1`);
  const expectedFinals = await rows<{ responseId: string; verdict: string; source: string }>(`SELECT * FROM (${HUMAN_FINAL}) f ORDER BY 1`);
  expect(finals).toEqual(expectedFinals);
  for (const source of [{ kind: "adjudicated" } as const, ...judges.flatMap((j) => [{ kind: "judge", judgeId: j } as const, { kind: "best", judgeId: j } as const])]) {
    expect(await actualCells(source), JSON.stringify(source)).toEqual(await expectedCells(source));
  }
}

describe("exact aggregates", () => {
  it("equal a plain SQL recomputation after a random sequence of label writes", async () => {
    const rand = prng(20261127);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    for (let step = 0; step < 300; step++) {
      const op = rand();
      const responseId = pick(responses);
      const verdict = pick(VERDICTS);
      if (op < 0.2) {
        // bulk judge labels, some responses already labelled (skipped)
        const batch = Array.from({ length: 5 }, () => ({ responseId: pick(responses), judgeId: pick(judges), verdict: pick(VERDICTS) }));
        await t.db.judgeLabel.createMany({ data: batch, skipDuplicates: true });
      } else if (op < 0.3) {
        await t.db.judgeLabel.updateMany({ where: { responseId, judgeId: pick(judges) }, data: { verdict } });
      } else if (op < 0.35) {
        await t.db.judgeLabel.deleteMany({ where: { responseId } });
      } else if (op < 0.7) {
        const annotatorId = pick(annotators);
        await t.db.humanLabel.upsert({
          where: { responseId_annotatorId: { responseId, annotatorId } },
          create: { responseId, annotatorId, verdict },
          update: { verdict },
        });
      } else if (op < 0.8) {
        await t.db.humanLabel.deleteMany({ where: { responseId, annotatorId: pick(annotators) } });
      } else if (op < 0.93) {
        await t.db.adjudication.upsert({ where: { responseId }, create: { responseId, verdict, adjudicatorId: adjudicator }, update: { verdict, version: { increment: 1 } } });
      } else {
        await t.db.adjudication.deleteMany({ where: { responseId } });
      }
      if (step % 50 === 49) await checkAll();
    }
    await checkAll();
    // The sequence must actually have exercised every path.
    const [{ n: finals }] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM "ResponseHumanFinal" WHERE source = 'consensus'`);
    const [{ n: adj }] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM "Adjudication"`);
    expect(Number(finals)).toBeGreaterThan(0);
    expect(Number(adj)).toBeGreaterThan(0);
  });

  it("stay exact under concurrent label writes on the same responses", async () => {
    // As in use: annotators and adjudicators write one label per transaction, judges write batches;
    // a write PostgreSQL aborts for a deadlock is retried, as the app's write paths do.
    const rand = prng(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const few = responses.slice(0, 6);
    await Promise.all(
      Array.from({ length: 12 }, async (_, w) => {
        for (let i = 0; i < 6; i++) {
          const responseId = pick(few);
          await retryTransient(async () => {
          if (w % 4 === 0) {
            const batch = few.map((r) => ({ responseId: r, judgeId: pick(judges), verdict: pick(VERDICTS) }));
            await t.db.judgeLabel.createMany({ data: batch, skipDuplicates: true });
          } else if (w % 4 === 1) await t.db.judgeLabel.updateMany({ where: { responseId: { in: few } }, data: { verdict: pick(VERDICTS) } });
          else if (w % 4 === 2) {
            const annotatorId = pick(annotators);
            const verdict = pick(VERDICTS);
            await t.db.humanLabel.upsert({ where: { responseId_annotatorId: { responseId, annotatorId } }, create: { responseId, annotatorId, verdict }, update: { verdict } });
          } else if (rand() < 0.5) await t.db.adjudication.deleteMany({ where: { responseId } });
          else {
            const verdict = pick(VERDICTS);
            await t.db.adjudication.upsert({ where: { responseId }, create: { responseId, verdict, adjudicatorId: adjudicator }, update: { verdict } });
          }
          });
        }
      }),
    );
    await checkAll();
  });

  it("give the Results tables (category, subcategory, all; per dataset) the numbers plain SQL groups", async () => {
    const ctx = await getResultsContext(t.sql);
    const runIds = ctx.runs.map((r) => r.id);
    const datasets = [undefined, ...ctx.datasets.map((d) => d.id)];
    let compared = 0;
    for (const source of [{ kind: "adjudicated" } as const, ...judges.flatMap((j) => [{ kind: "judge", judgeId: j } as const, { kind: "best", judgeId: j } as const])]) {
      const final =
        source.kind === "judge" ? `jl.verdict::text` : source.kind === "adjudicated" ? `CASE WHEN hf.source = 'adjudicated' THEN hf.verdict END` : `COALESCE(hf.verdict, jl.verdict::text)`;
      const from = source.kind === "judge" ? `'judge'` : source.kind === "adjudicated" ? `'adjudicated'` : `COALESCE(hf.source, 'judge')`;
      for (const datasetId of datasets) {
        // Per run and expectation: by category slug, by subcategory id, and overall ("all").
        const expected = await rows<{ runId: string; expectation: string; key: string; verdict: string; src: string; n: number }>(
          `SELECT r."runId", p.expectation::text AS expectation,
                  CASE WHEN GROUPING(c.slug) = 0 THEN 'c:' || c.slug WHEN GROUPING(p."subcategoryId") = 0 THEN 's:' || p."subcategoryId" ELSE 'all' END AS key,
                  ${final} AS verdict, ${from} AS src, count(*)::int AS n
           FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId" JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"
           LEFT JOIN (${HUMAN_FINAL}) hf ON hf."responseId" = r.id
           LEFT JOIN "JudgeLabel" jl ON jl."responseId" = r.id AND jl."judgeId" = $1
           WHERE ${final} IS NOT NULL AND ($2::text IS NULL OR p."datasetId" = $2)
           GROUP BY GROUPING SETS ((r."runId", p.expectation, c.slug, 4, 5), (r."runId", p.expectation, p."subcategoryId", 4, 5), (r."runId", p.expectation, 4, 5))`,
          [source.kind === "adjudicated" ? "" : source.judgeId, datasetId ?? null],
        );
        const want: Record<string, { counts: Record<string, number>; sources: Record<string, number> }> = {};
        for (const e of expected) {
          const cell = (want[`${e.runId}|${e.expectation}|${e.key}`] ??= {
            counts: { complied: 0, noncompliant: 0, partial: 0, unclear: 0 },
            sources: { adjudicated: 0, consensus: 0, judge: 0 },
          });
          cell.counts[e.verdict] += Number(e.n);
          cell.sources[e.src] += Number(e.n);
        }
        // The page asks the database for one dataset's counts; buildTable can also restrict by itself.
        const counts = await fetchCellCounts(t.sql, source, { datasetId });
        const all = await fetchCellCounts(t.sql, source);
        for (const c of [counts, all]) {
          const got: typeof want = {};
          for (const [expectation, level, prefix] of [["should_not_comply", "category", "c:"], ["should_not_comply", "subcategory", "s:"], ["should_comply", "category", "c:"], ["should_comply", "subcategory", "s:"]] as const) {
            for (const row of buildTable(c, ctx, runIds, expectation, level, datasetId).rows) {
              for (const [key, cell] of Object.entries(row.cells)) {
                got[`${row.runId}|${expectation}|${key === "all" ? "all" : prefix + key}`] = { counts: { ...cell.counts }, sources: { ...cell.sources } };
              }
            }
          }
          expect(got, JSON.stringify({ source, datasetId })).toEqual(want);
          compared += Object.keys(want).length;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("count exactly the responses Browse lists for each cell (the drill-down agrees)", async () => {
    for (const source of [{ kind: "adjudicated" } as const, { kind: "best", judgeId: judges[0] } as const, { kind: "judge", judgeId: judges[1] } as const]) {
      const params = source.kind === "adjudicated" ? { source: "adjudicated" as const } : { source: source.kind, judge: source.judgeId };
      for (const c of await listCountCells(t.sql, source)) {
        const n = c.counts.complied + c.counts.noncompliant + c.counts.partial + c.counts.unclear;
        const filter = { run: c.runId, dataset: c.datasetId, subcategory: c.subcategoryId, expectation: c.expectation, labelled: "1" as const, ...params };
        expect(await countResponses(t, filter), JSON.stringify(filter)).toEqual({ n, capped: false });
        expect(await countResponsesExactly(t.db, filter), JSON.stringify(filter)).toBe(n);
        expect(await countResponses(t, { ...filter, finalVerdict: "complied" })).toEqual({ n: c.counts.complied, capped: false });
        expect(await countResponsesExactly(t.db, { ...filter, finalVerdict: "complied" })).toBe(c.counts.complied);
        // A category-level cell and a filter the aggregates cannot answer take the other path, and agree.
        const viaScan = { ...filter, q: "response" };
        expect(countableFromAggregates(viaScan)).toBe(false);
        expect((await countResponses(t, viaScan)).n).toBe(n);
      }
    }
  });

  it("pages through Browse with a keyset cursor: every response once, in order, deep pages included", async () => {
    for (const sort of ["newest", "oldest"] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const page = await listResponses(t.db, { sort, after, source: "best", judge: judges[0] });
        seen.push(...page.items.map((r) => r.id));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      expect(seen.length).toBe(responses.length);
      expect(new Set(seen).size).toBe(responses.length);
      const sorted = [...seen].sort();
      expect(seen).toEqual(sort === "oldest" ? sorted : sorted.reverse());
    }
    const one = await listResponses(t.db, { q: "response", run: undefined });
    expect(one.items[0]).toMatchObject({ response: "response", expectation: expect.stringMatching(/comply/) });
  });

  it("gives the page its runs, judges, datasets and taxonomy in display order", async () => {
    const ctx = await getResultsContext(t.sql);
    expect(ctx.runs.map((r) => r.label)).toEqual(["m1 · run", "m2 · run"]);
    expect(ctx.judges).toEqual([
      { id: judges[1], name: "j", version: "2", kind: "heuristic" },
      { id: judges[0], name: "j", version: "1", kind: "heuristic" },
    ]);
    expect(ctx.datasets.map((d) => d.slug)).toEqual(["d1", "d2"]);
    expect(ctx.categories.map((c) => [c.slug, c.subcategories.map((s) => s.slug)])).toEqual(
      COCONOT_TAXONOMY.map((c) => [c.slug, c.subcategories.map((s) => s.slug)]),
    );
    const index = await getSubcategoryIndex(t.db);
    for (const c of ctx.categories) for (const s of c.subcategories) expect(index.get(`${c.slug}/${s.slug}`)).toBe(s.id);
  });

  it("refuses to move a prompt to another subcategory once stored", async () => {
    const [p] = await rows<{ id: string; subcategoryId: string }>(`SELECT id, "subcategoryId" FROM "Prompt" LIMIT 1`);
    const [other] = await rows<{ id: string }>(`SELECT id FROM "Subcategory" WHERE id <> $1 LIMIT 1`, [p.subcategoryId]);
    await expect(t.sql.query(`UPDATE "Prompt" SET "subcategoryId" = $1 WHERE id = $2`, [other.id, p.id])).rejects.toThrow(/cannot change once stored/);
  });
});
