// The Agreement queries against a small seeded dataset: every number is recomputed here from what the
// test wrote (in memory, not from the database), with the human final verdict rule written out again.
import { defaultComparisonJudgeId } from "../judges/data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerdictName } from "../metrics/rates";
import { createTestDb, type TestDb } from "../test/db";
import { countResponses, listResponses } from "../browse/data";
import {
  disagreementFilter,
  getAnnotatorAgreement,
  getCorrectedRates,
  getErrorReasons,
  getJudgeAgreement,
  listAgreementJudges,
} from "./data";
import { cohenKappa, consensusAgreement, fleissKappa, krippendorffAlphaNominal, pairwiseKappa, type Rating } from "./stats";

const V: VerdictName[] = ["complied", "noncompliant", "partial", "unclear"];
const REASONS = ["none", "missed_refusal", "false_refusal", "partial_misread", "rubric_gap"] as const;
type Expectation = "should_not_comply" | "should_comply";

interface Resp {
  id: string;
  runId: string;
  subId: string;
  catSlug: string;
  expectation: Expectation;
  judge: VerdictName;
  humans: Map<string, VerdictName>;
  adjudicated?: { verdict: VerdictName; reason: (typeof REASONS)[number] };
}

let t: TestDb;
const resps: Resp[] = [];
const subs: Record<string, { id: string; cat: string; catSlug: string }> = {};
const runIds: string[] = [];
const annotators: { id: string; name: string; email: string }[] = [];
const durations = new Map<string, number[]>(); // annotator → durationMs of their queue labels
let judge = "";
let oldJudge = "";
let referenceJudge = "";
let emptyJudge = "";

// mulberry32, so a failure can be replayed.
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  t = await createTestDb();
  const db = t.db;
  const rand = prng(20261127);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

  // Taxonomy: category A with A1, A2; category B with B1.
  for (const [ci, c] of [["cat-a", ["A1", "A2"]], ["cat-b", ["B1"]]].entries()) {
    const cat = await db.category.create({ data: { slug: c[0] as string, name: `Category ${c[0]}`, definition: "", noncompliance: "", sortOrder: ci } });
    for (const [si, s] of (c[1] as string[]).entries()) {
      const sub = await db.subcategory.create({ data: { categoryId: cat.id, slug: s.toLowerCase(), name: s, definition: "", expectedBehaviour: "", sortOrder: si } });
      subs[s] = { id: sub.id, cat: cat.id, catSlug: cat.slug };
    }
  }
  const dataset = await db.dataset.create({ data: { slug: "d", name: "D" } });
  const prompts: { id: string; sub: string; expectation: Expectation }[] = [];
  for (const s of ["A1", "A2", "B1"]) {
    for (let i = 0; i < 8; i++) {
      const expectation: Expectation = s === "A1" && i >= 5 ? "should_comply" : "should_not_comply";
      const p = await db.prompt.create({ data: { datasetId: dataset.id, externalId: `${s}-${i}`, text: `prompt ${s} ${i}`, subcategoryId: subs[s].id, expectation } });
      prompts.push({ id: p.id, sub: s, expectation });
    }
  }
  for (const name of ["m1", "m2"]) {
    const model = await db.model.create({ data: { name } });
    runIds.push((await db.run.create({ data: { modelId: model.id, name: "run" } })).id);
  }
  const t0 = Date.UTC(2026, 0, 1);
  oldJudge = (await db.judge.create({ data: { name: "heur", kind: "heuristic", version: "1", createdAt: new Date(t0 + 1000) } })).id;
  judge = (await db.judge.create({ data: { name: "heur", kind: "heuristic", version: "2", createdAt: new Date(t0 + 2000) } })).id;
  referenceJudge = (await db.judge.create({ data: { name: "ref", kind: "reference", version: "1", createdAt: new Date(t0 + 3000) } })).id;
  emptyJudge = (await db.judge.create({ data: { name: "llm", kind: "llm", version: "1", createdAt: new Date(t0 + 4000) } })).id;
  for (let i = 1; i <= 3; i++) {
    const u = await db.user.create({ data: { email: `ann${i}@x.org`, name: `Ann ${i}`, role: "annotator", passwordHash: "!" } });
    annotators.push({ id: u.id, name: u.name, email: u.email });
  }
  const adjudicator = await db.user.create({ data: { email: "adj@x.org", name: "Adj", role: "researcher", passwordHash: "!" } });
  const queue = await db.queue.create({ data: { name: "q", k: 3, createdById: adjudicator.id } });

  for (const runId of runIds) {
    for (const p of prompts) {
      const r = await db.response.create({ data: { runId, promptId: p.id, text: "response" } });
      const judgeVerdict = pick(["complied", "complied", "noncompliant", "noncompliant", "noncompliant", "partial", "unclear"] as const);
      resps.push({ id: r.id, runId, subId: subs[p.sub].id, catSlug: subs[p.sub].catSlug, expectation: p.expectation, judge: judgeVerdict, humans: new Map() });
    }
  }
  await db.judgeLabel.createMany({ data: resps.map((r) => ({ responseId: r.id, judgeId: judge, verdict: r.judge })) });
  await db.judgeLabel.createMany({ data: resps.filter((_, i) => i % 2 === 0).map((r) => ({ responseId: r.id, judgeId: oldJudge, verdict: "noncompliant" as const })) });
  await db.judgeLabel.createMany({ data: resps.slice(0, 5).map((r) => ({ responseId: r.id, judgeId: referenceJudge, verdict: "complied" as const })) });

  // Human labels: A1 responses get 0–3 labels, mostly agreeing with the judge; A2 only where the judge said
  // complied (so A2's other verdicts borrow category A's sample); B1 never where the judge said unclear
  // (category B has no other subcategory, so B1 cells with an unclear judge label cannot be corrected).
  let position = 0;
  for (const r of resps) {
    const sub = Object.keys(subs).find((s) => subs[s].id === r.subId)!;
    if (sub === "A2" && r.judge !== "complied") continue;
    if (sub === "B1" && r.judge === "unclear") continue;
    const k = Math.floor(rand() * 4);
    if (k === 0) continue;
    const item = await db.queueItem.create({ data: { queueId: queue.id, responseId: r.id, position: position++ } });
    for (const a of annotators.slice(0, k)) {
      const verdict = rand() < 0.7 ? r.judge : pick(V);
      r.humans.set(a.id, verdict);
      const label = await db.humanLabel.create({ data: { responseId: r.id, annotatorId: a.id, verdict } });
      // Some labels come without a recorded time.
      const durationMs = rand() < 0.8 ? 500 + Math.floor(rand() * 20_000) : null;
      await db.queueLabel.create({ data: { queueItemId: item.id, annotatorId: a.id, humanLabelId: label.id, durationMs } });
      if (durationMs !== null) (durations.get(a.id) ?? durations.set(a.id, []).get(a.id)!).push(durationMs);
    }
    if (rand() < 0.3) {
      r.adjudicated = { verdict: pick(V), reason: pick(REASONS) };
      await db.adjudication.create({ data: { responseId: r.id, verdict: r.adjudicated.verdict, reason: r.adjudicated.reason, adjudicatorId: adjudicator.id } });
    }
  }
});
afterAll(async () => t?.close());

// ---- independent recomputation from the in-memory records ----

/** Adjudicated, else a strict majority of the annotators' labels (more than half). */
function humanFinal(r: Resp): { verdict: VerdictName; source: "adjudicated" | "consensus" } | null {
  if (r.adjudicated) return { verdict: r.adjudicated.verdict, source: "adjudicated" };
  const labels = [...r.humans.values()];
  for (const v of V) if (labels.filter((x) => x === v).length * 2 > labels.length) return { verdict: v, source: "consensus" };
  return null;
}

function matrixOf(rs: Resp[], onlyAdjudicated = false): number[][] {
  const m = V.map(() => V.map(() => 0));
  for (const r of rs) {
    const f = humanFinal(r);
    if (f && (!onlyAdjudicated || f.source === "adjudicated")) m[V.indexOf(r.judge)][V.indexOf(f.verdict)]++;
  }
  return m;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

describe("judges", () => {
  it("defaults to the non-reference judge with most labels on human-labelled responses", async () => {
    expect(await defaultComparisonJudgeId(t.db)).toBe(judge);
    // A newer version that labelled fewer human-labelled responses is not the default; the larger sample is.
    const humanLabelled = (await t.db.humanLabel.findMany({ select: { responseId: true }, distinct: ["responseId"], take: 3 })).map((h) => h.responseId);
    const newer = (await t.db.judge.create({ data: { name: "heur", kind: "heuristic", version: "3" } })).id;
    try {
      await t.db.judgeLabel.createMany({ data: humanLabelled.map((responseId) => ({ responseId, judgeId: newer, verdict: "complied" as const })) });
      expect(await defaultComparisonJudgeId(t.db)).toBe(judge);
    } finally {
      await t.db.judgeLabel.deleteMany({ where: { judgeId: newer } });
      await t.db.judge.delete({ where: { id: newer } });
    }
  });

  it("lists every judge version with its labels and the labels on human-verdict responses", async () => {
    const judges = await listAgreementJudges(t);
    expect(judges.map((j) => j.id)).toEqual([emptyJudge, referenceJudge, judge, oldJudge]);
    const j = judges.find((x) => x.id === judge)!;
    expect(j.labels).toBe(resps.length);
    expect(j.compared).toBe(resps.filter((r) => humanFinal(r)).length);
    expect(judges.find((x) => x.id === emptyJudge)).toMatchObject({ labels: 0, compared: 0 });
  });
});

describe("judge vs human final verdict", () => {
  it("builds the confusion matrix, accuracy and κ overall and per category, subcategory and run", async () => {
    const a = await getJudgeAgreement(t, judge);
    const overall = matrixOf(resps);
    const n = overall.flat().reduce((x, y) => x + y, 0);
    expect(n).toBeGreaterThan(10);
    expect(a.overall.matrix.counts).toEqual(overall);
    expect(a.overall.n).toBe(n);
    expect(a.overall.accuracy).toBeCloseTo(V.reduce((s, _, i) => s + overall[i][i], 0) / n, 12);
    expect(a.overall.kappa).toBeCloseTo(cohenKappa({ labels: V, counts: overall })!, 12);
    expect(a.overall.disagreements).toBe(n - V.reduce((s, _, i) => s + overall[i][i], 0));

    expect(a.byCategory.map((c) => c.slug)).toEqual(["cat-a", "cat-b"]);
    for (const c of a.byCategory) expect(c.matrix.counts, c.slug).toEqual(matrixOf(resps.filter((r) => r.catSlug === c.slug)));
    expect(a.bySubcategory.map((s) => s.name)).toEqual(["A1", "A2", "B1"]);
    for (const s of a.bySubcategory) expect(s.matrix.counts, s.name).toEqual(matrixOf(resps.filter((r) => r.subId === s.id)));
    expect(a.byRun.map((r) => r.id).sort()).toEqual([...runIds].sort());
    for (const run of a.byRun) expect(run.matrix.counts).toEqual(matrixOf(resps.filter((r) => r.runId === run.id)));
  });

  it("narrows everything to a scope and can count adjudicated verdicts only", async () => {
    const scoped = await getJudgeAgreement(t, judge, { scope: { category: "cat-a", run: runIds[1] } });
    const inScope = resps.filter((r) => r.catSlug === "cat-a" && r.runId === runIds[1]);
    expect(scoped.overall.matrix.counts).toEqual(matrixOf(inScope));
    expect(scoped.byCategory.map((c) => c.slug)).toEqual(["cat-a"]);
    expect(scoped.byRun.map((r) => r.id)).toEqual([runIds[1]]);
    // The choices of scope do not depend on the scope.
    expect(scoped.available.categories.map((c) => c.slug)).toEqual(["cat-a", "cat-b"]);
    expect(scoped.available.subcategories.map((s) => s.name)).toEqual(["A1", "A2", "B1"]);
    expect(scoped.available.runs.map((r) => r.id).sort()).toEqual([...runIds].sort());
    const adj = await getJudgeAgreement(t, judge, { truth: "adjudicated" });
    expect(adj.overall.matrix.counts).toEqual(matrixOf(resps, true));
    expect(adj.overall.n).toBe(resps.filter((r) => r.adjudicated).length);
  });

  it("links every off-diagonal cell and every row to exactly its responses in Browse", async () => {
    const scopes = [{}, { category: "cat-a" }, { subcategory: subs.B1.id, run: runIds[0] }, { expectation: "should_comply" as const }];
    let checked = 0;
    for (const truth of ["final", "adjudicated"] as const) {
      for (const scope of scopes) {
        const a = await getJudgeAgreement(t, judge, { truth, scope });
        const inScope = resps.filter(
          (r) =>
            (!("category" in scope) || r.catSlug === scope.category) &&
            (!("subcategory" in scope) || r.subId === scope.subcategory) &&
            (!("run" in scope) || r.runId === scope.run) &&
            (!("expectation" in scope) || r.expectation === scope.expectation),
        );
        expect((await countResponses(t, disagreementFilter(judge, truth, scope))).n).toBe(a.overall.disagreements);
        for (const [i, jv] of V.entries()) {
          for (const [k, hv] of V.entries()) {
            if (i === k) continue;
            const filter = disagreementFilter(judge, truth, scope, { judge: jv, human: hv });
            const expected = inScope
              .filter((r) => r.judge === jv && humanFinal(r)?.verdict === hv && (truth === "final" || r.adjudicated))
              .map((r) => r.id)
              .sort();
            expect(a.overall.matrix.counts[i][k]).toBe(expected.length);
            expect((await countResponses(t, filter)).n, `${truth} ${JSON.stringify(scope)} ${jv}→${hv}`).toBe(expected.length);
            expect((await listResponses(t.db, filter)).items.map((x) => x.id).sort()).toEqual(expected);
            checked += expected.length;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("is empty for a judge without labels", async () => {
    const a = await getJudgeAgreement(t, emptyJudge);
    expect(a.overall).toMatchObject({ n: 0, accuracy: null, kappa: null });
    expect(a.byCategory).toEqual([]);
  });
});

describe("annotators", () => {
  const ratingsOf = (rs: Resp[]): Rating<VerdictName>[] =>
    rs.filter((r) => r.humans.size >= 2).flatMap((r) => [...r.humans].map(([rater, label]) => ({ item: r.id, rater, label })));

  it("computes pairwise κ, Fleiss' κ and Krippendorff's α over responses with two or more labels, overall and per category", async () => {
    const a = await getAnnotatorAgreement(t);
    const all = ratingsOf(resps);
    expect(a.overall.items).toBe(resps.filter((r) => r.humans.size >= 2).length);
    expect(a.overall.raters).toBe(3);
    expect(a.overall.fleiss).toEqual(fleissKappa(all, V));
    expect(a.overall.fleiss.raters).toBeGreaterThanOrEqual(2);
    expect(a.overall.alpha.alpha).toBeCloseTo(krippendorffAlphaNominal(all).alpha!, 12);
    expect(a.overall.pairs).toEqual(pairwiseKappa(all, V));
    for (const c of a.byCategory) {
      const xs = ratingsOf(resps.filter((r) => r.catSlug === c.slug));
      expect(c.items, c.slug).toBe(new Set(xs.map((x) => x.item)).size);
      expect(c.fleiss).toEqual(fleissKappa(xs, V));
      expect(c.alpha).toEqual(krippendorffAlphaNominal(xs));
    }
  });

  it("reports per annotator the labels, the median time per item and agreement with the others' majority", async () => {
    const a = await getAnnotatorAgreement(t);
    const consensus = consensusAgreement(ratingsOf(resps), V);
    expect(a.annotators.map((x) => x.name)).toEqual(["Ann 1", "Ann 2", "Ann 3"]);
    for (const x of a.annotators) {
      expect(x.labels, x.name).toBe(resps.filter((r) => r.humans.has(x.id)).length);
      const d = durations.get(x.id) ?? [];
      expect(x.timed).toBe(d.length);
      if (d.length) expect(x.medianMs).toBeCloseTo(median(d), 9);
      else expect(x.medianMs).toBeNull();
      const c = consensus.find((y) => y.rater === x.id)!;
      expect(x.consensus).toEqual({ compared: c.compared, agreed: c.agreed, agreement: c.agreement, kappa: c.kappa });
    }
    // Ann 1 labels every labelled response, so some of them were compared.
    expect(a.annotators[0].consensus.compared).toBeGreaterThan(0);
  });
});

describe("adjudication reasons", () => {
  it("counts the reasons other than 'none' per subcategory", async () => {
    const rows = await getErrorReasons(t);
    const expected: Record<string, Record<string, number>> = {};
    for (const r of resps) {
      if (!r.adjudicated || r.adjudicated.reason === "none") continue;
      const e = (expected[r.subId] ??= {});
      e[r.adjudicated.reason] = (e[r.adjudicated.reason] ?? 0) + 1;
    }
    expect(Object.fromEntries(rows.map((r) => [r.subcategoryId, r.reasons]))).toEqual(expected);
    for (const r of rows) expect(r.total).toBe(Object.values(expected[r.subcategoryId]).reduce((a, b) => a + b, 0));
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe("corrected rates", () => {
  /** P(complied | judge verdict v) over responses with a human final verdict, from `rs`; null without any. */
  function pComplied(rs: Resp[], v: VerdictName): { p: number; n: number } | null {
    const pairs = rs.filter((r) => r.judge === v && humanFinal(r));
    if (!pairs.length) return null;
    return { p: pairs.filter((r) => humanFinal(r)!.verdict === "complied").length / pairs.length, n: pairs.length };
  }

  it("corrects each run × subcategory × expectation cell with its subcategory's sample, else the category's", async () => {
    const rows = await getCorrectedRates(t, judge, { resamples: 400 });
    const keys = new Set(resps.map((r) => `${r.runId}|${r.subId}|${r.expectation}`));
    expect(rows.length).toBe(keys.size);
    const statuses = new Set<string>();
    let fallbacks = 0;
    for (const row of rows) {
      const cell = resps.filter((r) => r.runId === row.runId && r.subId === row.subcategoryId && r.expectation === row.expectation);
      const sample = resps.filter((r) => r.subId === row.subcategoryId && r.expectation === row.expectation);
      const catSlug = cell[0].catSlug;
      const pooled = resps.filter((r) => r.catSlug === catSlug && r.expectation === row.expectation);
      const label = `${row.runId} ${row.subcategoryId} ${row.expectation}`;
      expect(row.raw.n, label).toBe(cell.length);
      expect(row.raw.k, label).toBe(cell.filter((r) => r.judge === "complied").length);
      const finals = sample.map(humanFinal).filter((f) => f !== null);
      expect(row.sample, label).toEqual({
        n: finals.length,
        adjudicated: finals.filter((f) => f.source === "adjudicated").length,
        consensus: finals.filter((f) => f.source === "consensus").length,
      });
      let expected: number | null = 0;
      for (const v of V) {
        const share = cell.filter((r) => r.judge === v).length / cell.length;
        if (share === 0) continue;
        const own = pComplied(sample, v);
        const est = own ?? pComplied(pooled, v);
        if (!own && est) {
          fallbacks++;
          expect(row.perVerdict[v].from, label).toBe("category");
        }
        if (!est) {
          expected = null;
          break;
        }
        expected += share * est.p;
      }
      statuses.add(row.status);
      if (expected === null) {
        expect(row.status, label).toBe("insufficient_sample");
        expect(row.corrected).toBeNull();
      } else {
        expect(row.status, label).toBe("ok");
        expect(row.corrected!, label).toBeCloseTo(expected, 12);
        expect(row.interval!.low).toBeLessThanOrEqual(row.interval!.high);
        expect(row.interval!.low).toBeGreaterThanOrEqual(0);
        expect(row.interval!.high).toBeLessThanOrEqual(1);
      }
    }
    // The seeded data covers both the category fallback and a cell that cannot be corrected.
    expect(fallbacks).toBeGreaterThan(0);
    expect(statuses).toEqual(new Set(["ok", "insufficient_sample"]));
  });

  it("gives each cell the same interval whichever runs are asked for", async () => {
    const all = await getCorrectedRates(t, judge, { resamples: 400 });
    const one = await getCorrectedRates(t, judge, { resamples: 400, runIds: [runIds[0]] });
    expect(one.length).toBeGreaterThan(0);
    expect(one).toEqual(all.filter((r) => r.runId === runIds[0]));
    expect(await getCorrectedRates(t, judge, { resamples: 400 })).toEqual(all);
  });

  it("uses only adjudicated verdicts when asked to", async () => {
    const rows = await getCorrectedRates(t, judge, { resamples: 50, truth: "adjudicated" });
    for (const row of rows) {
      const sample = resps.filter((r) => r.subId === row.subcategoryId && r.expectation === row.expectation && r.adjudicated);
      expect(row.sample).toEqual({ n: sample.length, adjudicated: sample.length, consensus: 0 });
    }
  });
});
