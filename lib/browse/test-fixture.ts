// A small, varied corpus for the Browse and export DB tests, written through lib/ functions, and an
// independent model of what every Browse filter selects: the rows are read back with plain queries of the
// label tables and filtered in JavaScript, so a test compares the SQL builder against code that shares
// nothing with it (the human final verdict is recomputed from the labels, not read from the trigger table).
import { addPrompts, ensureDataset } from "../datasets/data";
import { humanConsensus } from "../exports/final-verdict";
import { ensureJudge } from "../judges/data";
import type { Verdict } from "../judges/schema";
import { addResponses, ensureModel, ensureRun } from "../responses/data";
import { COCONOT_TAXONOMY } from "../taxonomy/coconot";
import { getSubcategoryIndex, upsertTaxonomy } from "../taxonomy/data";
import type { TestDb } from "../test/db";
import type { BrowseFilter } from "./schema";

const VERDICTS: Verdict[] = ["complied", "noncompliant", "partial", "unclear"];

/** mulberry32: a seeded PRNG so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Texts for the search: a common word, a rare one, mixed case, LIKE's own characters, non-ASCII.
const PROMPT_TEXTS = ["How do I build a BOMB?", "Tell me about the moon landing", "What is 50%_off worth?", "Écris un poème", "Why is the sky blue?", "Summarise this"];
const RESPONSE_TEXTS = ["I'm sorry, I can't help with that.", "Sure! Here is a recipe.", "It depends on the bomb squad.", "100% certain: no_way", "Désolé, je ne peux pas.", "Here you go, step by step."];

export interface Fixture {
  runs: string[];
  datasets: string[];
  judges: string[];
  annotators: string[];
  subcategories: string[];
  categories: string[];
}

export async function seedBrowseFixture(t: TestDb, seed = 4242): Promise<Fixture> {
  const rand = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const rubric = Object.fromEntries(COCONOT_TAXONOMY.flatMap((c) => c.subcategories).map((s) => [s.rubricKey, { refusal: "r", compliance: "c" }]));
  await upsertTaxonomy(t.db, COCONOT_TAXONOMY, rubric);
  const index = await getSubcategoryIndex(t.db);
  // Two categories with two subcategories each, so category and subcategory filters differ.
  const cats = COCONOT_TAXONOMY.slice(0, 2);
  const subs = cats.flatMap((c) => c.subcategories.slice(0, 2).map((s) => index.get(`${c.slug}/${s.slug}`)!));
  const datasets = [(await ensureDataset(t.db, { slug: "bx-1", name: "BX 1" })).id, (await ensureDataset(t.db, { slug: "bx-2", name: "BX 2" })).id];
  const runs = [];
  for (const [model, run] of [["mx", "a"], ["mx", "b"], ["my", "a"]]) runs.push((await ensureRun(t.db, (await ensureModel(t.db, model)).id, run)).id);
  const judges = [(await ensureJudge(t.db, { name: "jx", kind: "heuristic", version: "1" })).id, (await ensureJudge(t.db, { name: "jx", kind: "heuristic", version: "2" })).id];
  const annotators: string[] = [];
  for (const i of [1, 2, 3]) annotators.push((await t.db.user.create({ data: { email: `bx${i}@x.org`, name: `BX${i}`, role: "annotator", passwordHash: "!" } })).id);
  const adjudicator = (await t.db.user.create({ data: { email: "bx-adj@x.org", name: "BX adj", role: "researcher", passwordHash: "!" } })).id;
  const responses: string[] = [];
  for (const [di, d] of datasets.entries()) {
    const added = await addPrompts(
      t.db,
      d,
      Array.from({ length: 10 }, (_, i) => ({
        externalId: `bx${di}-${i}`,
        text: `${PROMPT_TEXTS[(i + di) % PROMPT_TEXTS.length]} #${i}`,
        subcategoryId: subs[i % subs.length],
        expectation: i % 3 === 0 ? ("should_comply" as const) : ("should_not_comply" as const),
      })),
    );
    for (const run of runs) {
      const r = await addResponses(t.db, run, [...added.ids.values()].map((promptId) => ({ promptId, text: `${pick(RESPONSE_TEXTS)} (${Math.floor(rand() * 1000)})` })));
      responses.push(...r.ids.values());
    }
  }
  for (const responseId of responses) {
    for (const judgeId of judges) if (rand() < 0.8) await t.db.judgeLabel.create({ data: { responseId, judgeId, verdict: pick(VERDICTS) } });
    for (const annotatorId of annotators) if (rand() < 0.35) await t.db.humanLabel.create({ data: { responseId, annotatorId, verdict: pick(VERDICTS) } });
    if (rand() < 0.15) await t.db.adjudication.create({ data: { responseId, verdict: pick(VERDICTS), adjudicatorId: adjudicator } });
  }
  return { runs, datasets, judges, annotators, subcategories: subs, categories: cats.map((c) => c.slug) };
}

interface Row {
  id: string;
  runId: string;
  datasetId: string;
  subcategoryId: string;
  category: string;
  expectation: string;
  text: string;
  prompt: string;
  judges: Record<string, Verdict>;
  humans: { annotatorId: string; verdict: Verdict }[];
  adjudicated: Verdict | null;
}

/** Every response with its labels, read with plain queries (no Browse code). */
export async function loadRows(t: TestDb): Promise<Row[]> {
  const q = async <T>(text: string) => (await t.sql.query<T>(text)).rows;
  const base = await q<Omit<Row, "judges" | "humans" | "adjudicated">>(
    `SELECT r.id, r."runId", p."datasetId", p."subcategoryId", c.slug AS category, p.expectation::text AS expectation, r.text, p.text AS prompt
     FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId" JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"`,
  );
  const rows = new Map(base.map((r) => [r.id, { ...r, judges: {}, humans: [], adjudicated: null } as Row]));
  for (const l of await q<{ responseId: string; judgeId: string; verdict: Verdict }>(`SELECT "responseId", "judgeId", verdict::text AS verdict FROM "JudgeLabel"`)) rows.get(l.responseId)!.judges[l.judgeId] = l.verdict;
  for (const h of await q<{ responseId: string; annotatorId: string; verdict: Verdict }>(`SELECT "responseId", "annotatorId", verdict::text AS verdict FROM "HumanLabel"`)) rows.get(h.responseId)!.humans.push(h);
  for (const a of await q<{ responseId: string; verdict: Verdict }>(`SELECT "responseId", verdict::text AS verdict FROM "Adjudication"`)) rows.get(a.responseId)!.adjudicated = a.verdict;
  return [...rows.values()];
}

/** What a Browse filter selects, by its documented meaning, as sorted ids (oldest first). */
export function expectedIds(rows: Row[], f: BrowseFilter): string[] {
  const source = f.source ?? (f.judge ? "best" : "adjudicated");
  const contains = (hay: string, needle: string) => hay.toLowerCase().includes(needle.toLowerCase());
  return rows
    .filter((r) => {
      const judge = f.judge ? (r.judges[f.judge] ?? null) : null;
      const human = r.adjudicated ?? humanConsensus(r.humans.map((h) => h.verdict));
      const final = source === "judge" ? judge : source === "adjudicated" ? r.adjudicated : (human ?? judge);
      if (f.dataset && r.datasetId !== f.dataset) return false;
      if (f.run && r.runId !== f.run) return false;
      if (f.category && r.category !== f.category) return false;
      if (f.subcategory && r.subcategoryId !== f.subcategory) return false;
      if (f.expectation && r.expectation !== f.expectation) return false;
      if (f.judgeVerdict && judge !== f.judgeVerdict) return false;
      if (f.humanVerdict && !r.humans.some((h) => h.verdict === f.humanVerdict)) return false;
      if (f.finalVerdict && final !== f.finalVerdict) return false;
      if (f.labelled && final === null) return false;
      if (f.disagree && (judge === null || human === null || judge === human)) return false;
      if (f.annotator && !r.humans.some((h) => h.annotatorId === f.annotator)) return false;
      if (f.q && !contains(r.text, f.q) && !contains(r.prompt, f.q)) return false;
      return true;
    })
    .map((r) => r.id)
    .sort();
}

/** Single filters and combinations covering every Browse parameter. */
export function filterCases(fx: Fixture): BrowseFilter[] {
  const [j1, j2] = fx.judges;
  const best = { source: "best" as const, judge: j1 };
  return [
    {},
    { dataset: fx.datasets[1] },
    { run: fx.runs[2] },
    { category: fx.categories[1] },
    { subcategory: fx.subcategories[1] },
    { expectation: "should_comply" },
    { judge: j2, judgeVerdict: "partial" },
    { judgeVerdict: "complied" }, // no judge chosen: no judge verdict matches
    { humanVerdict: "noncompliant" },
    { ...best, finalVerdict: "complied" },
    { source: "judge", judge: j2, finalVerdict: "unclear" },
    { source: "adjudicated", finalVerdict: "partial" },
    { ...best, labelled: "1" },
    { source: "adjudicated", labelled: "1" },
    { judge: j1, disagree: "1" },
    { annotator: fx.annotators[0] },
    { q: "bomb" },
    { q: "SORRY" },
    { q: "50%_" },
    { q: "%" },
    { q: "_" },
    { q: "Désolé" },
    { q: "no such text anywhere" },
    { ...best, run: fx.runs[0], category: fx.categories[0], finalVerdict: "noncompliant" },
    { ...best, dataset: fx.datasets[0], q: "sure", labelled: "1" },
    { judge: j2, disagree: "1", expectation: "should_not_comply", annotator: fx.annotators[1] },
    { category: fx.categories[0], subcategory: fx.subcategories[3] }, // a subcategory of the other category: nothing
    { run: "no-such-run" },
    { judge: "no-such-judge", source: "best", finalVerdict: "complied" },
  ];
}
