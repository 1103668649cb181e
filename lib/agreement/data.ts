// Agreement page and corrected rates: raw SQL (PostgreSQL and PGlite alike), statistics in ./stats and
// ./corrected. What is read and how big it gets:
// - judge vs human final: one row per (run, subcategory, expectation, judge verdict, human verdict) from
//   ResponseHumanFinal ⋈ JudgeLabel: O(human-labelled responses) scanned, O(cells × 16) returned;
// - annotators: the labels of responses with two or more human labels (a response labelled once adds
//   nothing to κ, α or the consensus), and per-annotator counts and median time from a GROUP BY;
// - corrected rates: JudgeCellCount (O(cells)) and the same pairs as above.
import type { BrowseFilter } from "../browse/schema";
import type { OpenedDb } from "../db";
import type { JudgeKind } from "../generated/prisma/enums";
import { VERDICTS, type Interval, type Rate, type VerdictCounts, type VerdictName } from "../metrics/rates";
import type { Expectation } from "../judges/schema";
import { correctedRate, emptyPairs, pairTotal, seedFrom, type CorrectionStatus, type PairCounts, type VerdictCorrection } from "./corrected";
import {
  accuracy,
  addToMatrix,
  cohenKappa,
  consensusAgreement,
  emptyMatrix,
  fleissKappa,
  krippendorffAlphaNominal,
  matrixTotal,
  pairwiseKappa,
  type AlphaResult,
  type ConfusionMatrix,
  type FleissResult,
  type PairAgreement,
  type Rating,
} from "./stats";

/** What these queries need of an opened database: its raw SQL connection. */
export type AgreementDb = Pick<OpenedDb, "sql">;

// ------------------------------------------------------------------------------------------ context

interface TaxonomyRow {
  subcategoryId: string;
  subcategory: string;
  categoryId: string;
  categorySlug: string;
  category: string;
}

/** Subcategories with their category, in taxonomy order. */
async function taxonomy(opened: AgreementDb): Promise<TaxonomyRow[]> {
  const { rows } = await opened.sql.query<TaxonomyRow>(
    `SELECT s.id AS "subcategoryId", s.name AS subcategory, c.id AS "categoryId", c.slug AS "categorySlug", c.name AS category
     FROM "Subcategory" s JOIN "Category" c ON c.id = s."categoryId"
     ORDER BY c."sortOrder", c.id, s."sortOrder", s.id`,
  );
  return rows;
}

async function runLabels(opened: AgreementDb): Promise<{ id: string; label: string }[]> {
  const { rows } = await opened.sql.query<{ id: string; label: string }>(
    `SELECT r.id, m.name || ' · ' || r.name AS label FROM "Run" r JOIN "Model" m ON m.id = r."modelId" ORDER BY m.name, r.name`,
  );
  return rows;
}

export interface AgreementJudge {
  id: string;
  name: string;
  version: string;
  kind: JudgeKind;
  /** All labels of this judge version. */
  labels: number;
  /** Labels on responses that have a human final verdict (what agreement is computed over). */
  compared: number;
}

/** Every judge version with its label counts (from the exact aggregates), newest first. */
export async function listAgreementJudges(opened: AgreementDb): Promise<AgreementJudge[]> {
  const sum = (cols: string[]) => cols.map((c) => `coalesce(sum(c."${c}"), 0)`).join(" + ");
  const covered = VERDICTS.map((v) => `covered${v[0].toUpperCase()}${v.slice(1)}`);
  const { rows } = await opened.sql.query<AgreementJudge>(
    `SELECT j.id, j.name, j.version, j.kind::text AS kind, (${sum([...VERDICTS])})::int AS labels, (${sum(covered)})::int AS compared
     FROM "Judge" j LEFT JOIN "JudgeCellCount" c ON c."judgeId" = j.id
     GROUP BY j.id, j.name, j.version, j.kind, j."createdAt" ORDER BY j."createdAt" DESC, j.id DESC`,
  );
  return rows.map((r) => ({ ...r, labels: Number(r.labels), compared: Number(r.compared) }));
}

// ------------------------------------------------------------------------ judge vs human final verdict

/** Which human verdicts count as the truth: every human final verdict, or only adjudicated ones. */
export type Truth = "final" | "adjudicated";

interface PairRow {
  runId: string;
  subcategoryId: string;
  expectation: Expectation;
  judge: VerdictName;
  human: VerdictName;
  source: "adjudicated" | "consensus";
  n: number;
}

/** Judge verdict × human final verdict counts per cell (datasets summed). */
async function pairRows(opened: AgreementDb, judgeId: string, truth: Truth): Promise<PairRow[]> {
  const { rows } = await opened.sql.query<PairRow>(
    `SELECT f."runId", f."subcategoryId", f.expectation::text AS expectation, jl.verdict::text AS judge, f.verdict::text AS human,
            f.source::text AS source, count(*)::int AS n
     FROM "ResponseHumanFinal" f
     JOIN "JudgeLabel" jl ON jl."responseId" = f."responseId" AND jl."judgeId" = $1
     ${truth === "adjudicated" ? `WHERE f.source = 'adjudicated'` : ""}
     GROUP BY 1, 2, 3, 4, 5, 6`,
    [judgeId],
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export interface AgreementCell {
  /** Rows: the judge's verdict; columns: the human final verdict (order of VERDICTS). */
  matrix: ConfusionMatrix<VerdictName>;
  n: number;
  accuracy: number | null;
  kappa: number | null;
  /** Responses where the two differ (off-diagonal). */
  disagreements: number;
}

function cellOf(matrix: ConfusionMatrix<VerdictName>): AgreementCell {
  const n = matrixTotal(matrix);
  const diagonal = matrix.counts.reduce((s, row, i) => s + row[i], 0);
  return { matrix, n, accuracy: accuracy(matrix), kappa: cohenKappa(matrix), disagreements: n - diagonal };
}

/** Narrows the agreement tables to one category (slug), subcategory (id), run (id) and/or expectation. */
export interface AgreementScope {
  category?: string;
  subcategory?: string;
  run?: string;
  expectation?: Expectation;
}

export interface JudgeAgreement {
  judgeId: string;
  truth: Truth;
  scope: AgreementScope;
  /** Everything in scope. */
  overall: AgreementCell;
  byCategory: (AgreementCell & { slug: string; name: string })[];
  bySubcategory: (AgreementCell & { id: string; name: string; categorySlug: string; category: string })[];
  byRun: (AgreementCell & { id: string; label: string })[];
  /** What has pairs for this judge regardless of the scope (for choosing a scope). */
  available: {
    categories: { slug: string; name: string }[];
    subcategories: { id: string; name: string; categorySlug: string }[];
    runs: { id: string; label: string }[];
  };
}

/**
 * The judge's verdicts against the human final verdicts (adjudicated, else strict-majority consensus; or
 * adjudicated only), over every response that has both, in scope. Groups without pairs are left out.
 */
export async function getJudgeAgreement(opened: AgreementDb, judgeId: string, opts: { truth?: Truth; scope?: AgreementScope } = {}): Promise<JudgeAgreement> {
  const truth = opts.truth ?? "final";
  const scope = opts.scope ?? {};
  const [rows, tax, runs] = await Promise.all([pairRows(opened, judgeId, truth), taxonomy(opened), runLabels(opened)]);
  const subs = new Map(tax.map((t) => [t.subcategoryId, t]));
  const inScope = rows.filter((r) => {
    const t = subs.get(r.subcategoryId);
    return (
      (!scope.category || t?.categorySlug === scope.category) &&
      (!scope.subcategory || r.subcategoryId === scope.subcategory) &&
      (!scope.run || r.runId === scope.run) &&
      (!scope.expectation || r.expectation === scope.expectation)
    );
  });
  const group = (key: (r: PairRow) => string) => {
    const m = new Map<string, ConfusionMatrix<VerdictName>>();
    for (const r of inScope) {
      const k = key(r);
      let x = m.get(k);
      if (!x) m.set(k, (x = emptyMatrix(VERDICTS)));
      addToMatrix(x, r.judge, r.human, r.n);
    }
    return m;
  };
  const overall = group(() => "");
  const byCat = group((r) => subs.get(r.subcategoryId)?.categorySlug ?? "");
  const bySub = group((r) => r.subcategoryId);
  const byRun = group((r) => r.runId);
  const categories = [...new Map(tax.map((t) => [t.categorySlug, t.category]))];
  const present = { subs: new Set(rows.map((r) => r.subcategoryId)), runs: new Set(rows.map((r) => r.runId)) };
  const presentCategories = new Set(tax.filter((t) => present.subs.has(t.subcategoryId)).map((t) => t.categorySlug));
  return {
    judgeId,
    truth,
    scope,
    available: {
      categories: categories.filter(([slug]) => presentCategories.has(slug)).map(([slug, name]) => ({ slug, name })),
      subcategories: tax.filter((t) => present.subs.has(t.subcategoryId)).map((t) => ({ id: t.subcategoryId, name: t.subcategory, categorySlug: t.categorySlug })),
      runs: runs.filter((r) => present.runs.has(r.id)),
    },
    overall: cellOf(overall.get("") ?? emptyMatrix(VERDICTS)),
    byCategory: categories.filter(([slug]) => byCat.has(slug)).map(([slug, name]) => ({ slug, name, ...cellOf(byCat.get(slug)!) })),
    bySubcategory: tax
      .filter((t) => bySub.has(t.subcategoryId))
      .map((t) => ({ id: t.subcategoryId, name: t.subcategory, categorySlug: t.categorySlug, category: t.category, ...cellOf(bySub.get(t.subcategoryId)!) })),
    byRun: runs.filter((r) => byRun.has(r.id)).map((r) => ({ id: r.id, label: r.label, ...cellOf(byRun.get(r.id)!) })),
  };
}

/**
 * The Browse filter for the responses where the judge and the human verdict differ, in a scope, optionally
 * in one cell of the confusion matrix (judge verdict × human verdict, off the diagonal). With truth
 * "adjudicated" only adjudicated verdicts count, as in getJudgeAgreement.
 */
export function disagreementFilter(
  judgeId: string,
  truth: Truth,
  scope: AgreementScope,
  cell?: { judge: VerdictName; human: VerdictName },
): BrowseFilter {
  return {
    judge: judgeId,
    // "best" (the default with a judge) reads the human final verdict where there is one, and `disagree`
    // keeps only responses that have one; "adjudicated" reads adjudicated verdicts only.
    ...(truth === "adjudicated" ? { source: "adjudicated" as const, labelled: "1" as const } : {}),
    category: scope.category,
    subcategory: scope.subcategory,
    run: scope.run,
    expectation: scope.expectation,
    disagree: "1",
    ...(cell ? { judgeVerdict: cell.judge, finalVerdict: cell.human } : {}),
  };
}

// ------------------------------------------------------------------------------------- annotators

export interface RaterSet {
  /** Responses with two or more human labels. */
  items: number;
  /** Annotators with a label on one of them. */
  raters: number;
  fleiss: FleissResult;
  alpha: AlphaResult;
  /** Cohen's κ for every pair of annotators, over the responses both labelled. */
  pairs: PairAgreement[];
}

export interface AnnotatorStats {
  id: string;
  name: string;
  email: string;
  /** Current human labels. */
  labels: number;
  /** Queue labels with a recorded time. */
  timed: number;
  /** Median time per item in milliseconds (QueueLabel.durationMs), null when none was recorded. */
  medianMs: number | null;
  /** Against the strict majority of the other annotators on the same response. */
  consensus: { compared: number; agreed: number; agreement: number | null; kappa: number | null };
}

export interface AnnotatorAgreement {
  overall: RaterSet;
  byCategory: (RaterSet & { slug: string; name: string })[];
  annotators: AnnotatorStats[];
}

function raterSet(ratings: Rating<VerdictName>[]): RaterSet {
  return {
    items: new Set(ratings.map((r) => r.item)).size,
    raters: new Set(ratings.map((r) => r.rater)).size,
    fleiss: fleissKappa(ratings, VERDICTS),
    alpha: krippendorffAlphaNominal(ratings),
    pairs: pairwiseKappa(ratings, VERDICTS),
  };
}

/** Agreement between annotators (current labels), overall and per category, and per-annotator figures. */
export async function getAnnotatorAgreement(opened: AgreementDb): Promise<AnnotatorAgreement> {
  const [labels, people, tax] = await Promise.all([
    opened.sql.query<{ item: string; rater: string; label: VerdictName; categorySlug: string }>(
      `SELECT h."responseId" AS item, h."annotatorId" AS rater, h.verdict::text AS label, c.slug AS "categorySlug"
       FROM "HumanLabel" h
       JOIN "Response" r ON r.id = h."responseId"
       JOIN "Prompt" p ON p.id = r."promptId"
       JOIN "Subcategory" s ON s.id = p."subcategoryId"
       JOIN "Category" c ON c.id = s."categoryId"
       WHERE h."responseId" IN (SELECT "responseId" FROM "HumanLabel" GROUP BY "responseId" HAVING count(*) >= 2)`,
    ),
    opened.sql.query<{ id: string; name: string; email: string; labels: number; timed: number; medianMs: number | null }>(
      `SELECT u.id, u.name, u.email, l.labels, coalesce(q.timed, 0)::int AS timed, q."medianMs"
       FROM (SELECT "annotatorId", count(*)::int AS labels FROM "HumanLabel" GROUP BY "annotatorId") l
       JOIN "User" u ON u.id = l."annotatorId"
       LEFT JOIN (SELECT "annotatorId", count(*)::int AS timed,
                         percentile_cont(0.5) WITHIN GROUP (ORDER BY "durationMs")::float8 AS "medianMs"
                  FROM "QueueLabel" WHERE "durationMs" IS NOT NULL GROUP BY "annotatorId") q ON q."annotatorId" = u.id
       ORDER BY u.name, u.id`,
    ),
    taxonomy(opened),
  ]);
  const ratings = labels.rows;
  const consensus = new Map(consensusAgreement(ratings, VERDICTS).map((c) => [c.rater, c]));
  const categories = [...new Map(tax.map((t) => [t.categorySlug, t.category]))];
  const perCategory = new Map<string, Rating<VerdictName>[]>();
  for (const r of ratings) {
    let xs = perCategory.get(r.categorySlug);
    if (!xs) perCategory.set(r.categorySlug, (xs = []));
    xs.push(r);
  }
  return {
    overall: raterSet(ratings),
    byCategory: categories.filter(([slug]) => perCategory.has(slug)).map(([slug, name]) => ({ slug, name, ...raterSet(perCategory.get(slug)!) })),
    annotators: people.rows.map((p) => {
      const c = consensus.get(p.id);
      return {
        id: p.id,
        name: p.name,
        email: p.email,
        labels: Number(p.labels),
        timed: Number(p.timed),
        medianMs: p.medianMs === null ? null : Number(p.medianMs),
        consensus: { compared: c?.compared ?? 0, agreed: c?.agreed ?? 0, agreement: c?.agreement ?? null, kappa: c?.kappa ?? null },
      };
    }),
  };
}

// ------------------------------------------------------------------------------- adjudication reasons

export interface ErrorReasonRow {
  subcategoryId: string;
  subcategory: string;
  categorySlug: string;
  category: string;
  /** Adjudications per reason (`none`, "the judge was right", is left out). */
  reasons: Record<string, number>;
  total: number;
}

/** Why the judge was wrong, as adjudicators recorded it, per subcategory (taxonomy order). */
export async function getErrorReasons(opened: AgreementDb): Promise<ErrorReasonRow[]> {
  const [{ rows }, tax] = await Promise.all([
    opened.sql.query<{ subcategoryId: string; reason: string; n: number }>(
      `SELECT p."subcategoryId", a.reason::text AS reason, count(*)::int AS n
       FROM "Adjudication" a JOIN "Response" r ON r.id = a."responseId" JOIN "Prompt" p ON p.id = r."promptId"
       WHERE a.reason <> 'none' GROUP BY 1, 2`,
    ),
    taxonomy(opened),
  ]);
  const bySub = new Map<string, Record<string, number>>();
  for (const r of rows) {
    let reasons = bySub.get(r.subcategoryId);
    if (!reasons) bySub.set(r.subcategoryId, (reasons = {}));
    reasons[r.reason] = Number(r.n);
  }
  return tax
    .filter((t) => bySub.has(t.subcategoryId))
    .map((t) => {
      const reasons = bySub.get(t.subcategoryId)!;
      return {
        subcategoryId: t.subcategoryId,
        subcategory: t.subcategory,
        categorySlug: t.categorySlug,
        category: t.category,
        reasons,
        total: Object.values(reasons).reduce((a, b) => a + b, 0),
      };
    });
}

// ------------------------------------------------------------------------------------ corrected rates

export interface CorrectedRateRow {
  runId: string;
  subcategoryId: string;
  expectation: Expectation;
  /** The judge's compliance rate in the cell, with its Wilson interval. */
  raw: Rate;
  /** Σ_v share_v × P(complied | judge said v); null unless status is "ok". */
  corrected: number | null;
  /** Percentile bootstrap interval of `corrected` (95% by default). */
  interval: Interval | null;
  status: CorrectionStatus;
  /** The subcategory's sample (this expectation, all runs): pairs with a human verdict, by source. */
  sample: { n: number; adjudicated: number; consensus: number };
  perVerdict: Record<VerdictName, VerdictCorrection>;
}

export interface CorrectedRatesOptions {
  /** Only these runs (default: every run the judge labelled). */
  runIds?: string[];
  /** The sample's truth: every human final verdict (default) or adjudicated ones only. */
  truth?: Truth;
  /** Bootstrap resamples per cell (default 2,000). */
  resamples?: number;
  /** Base seed; each cell's PRNG is seeded from it and the cell's key, so a cell's interval does not
   * depend on which other cells are computed. */
  seed?: number;
}

/**
 * Corrected compliance rates of a judge per run × subcategory × expectation (datasets summed), for the
 * Results page to show beside the raw rate (definitions and assumptions: ./corrected.ts). Cells the judge
 * did not label are left out. On should-comply prompts over-refusal is 1 − the rate (and 1 − the interval).
 * Cost: about 1–2 ms per cell for the bootstrap (measured at 100 labels per cell), so pass `runIds` to
 * compute only the runs on screen.
 */
export async function getCorrectedRates(opened: AgreementDb, judgeId: string, opts: CorrectedRatesOptions = {}): Promise<CorrectedRateRow[]> {
  const params: unknown[] = [judgeId];
  if (opts.runIds) params.push(opts.runIds);
  const cols = VERDICTS.map((v) => `sum("${v}")::int AS "${v}"`).join(", ");
  const [cells, pairs, tax] = await Promise.all([
    opened.sql.query<{ runId: string; subcategoryId: string; expectation: Expectation } & VerdictCounts>(
      `SELECT "runId", "subcategoryId", expectation::text AS expectation, ${cols}
       FROM "JudgeCellCount" WHERE "judgeId" = $1 ${opts.runIds ? `AND "runId" = ANY($2::text[])` : ""}
       GROUP BY 1, 2, 3 HAVING sum(${VERDICTS.map((v) => `"${v}"`).join(" + ")}) > 0
       ORDER BY 1, 2, 3`,
      params,
    ),
    pairRows(opened, judgeId, opts.truth ?? "final"),
    taxonomy(opened),
  ]);
  const categoryOf = new Map(tax.map((t) => [t.subcategoryId, t.categoryId]));
  const subSample = new Map<string, { pairs: PairCounts; adjudicated: number; consensus: number }>();
  const catSample = new Map<string, PairCounts>();
  for (const r of pairs) {
    const sk = `${r.subcategoryId}|${r.expectation}`;
    let s = subSample.get(sk);
    if (!s) subSample.set(sk, (s = { pairs: emptyPairs(), adjudicated: 0, consensus: 0 }));
    s.pairs[r.judge][r.human] += r.n;
    s[r.source] += r.n;
    const ck = `${categoryOf.get(r.subcategoryId)}|${r.expectation}`;
    let c = catSample.get(ck);
    if (!c) catSample.set(ck, (c = emptyPairs()));
    c[r.judge][r.human] += r.n;
  }
  const baseSeed = String(opts.seed ?? 1);
  return cells.rows.map((cell) => {
    const judgeCounts: VerdictCounts = { complied: Number(cell.complied), noncompliant: Number(cell.noncompliant), partial: Number(cell.partial), unclear: Number(cell.unclear) };
    const sub = subSample.get(`${cell.subcategoryId}|${cell.expectation}`);
    const pooled = catSample.get(`${categoryOf.get(cell.subcategoryId)}|${cell.expectation}`);
    const est = correctedRate(
      { judgeCounts, pairs: sub?.pairs ?? emptyPairs(), pooledPairs: pooled },
      { resamples: opts.resamples, seed: seedFrom(baseSeed, cell.runId, cell.subcategoryId, cell.expectation) },
    );
    return {
      runId: cell.runId,
      subcategoryId: cell.subcategoryId,
      expectation: cell.expectation,
      raw: est.raw,
      corrected: est.corrected,
      interval: est.interval,
      status: est.status,
      sample: { n: sub ? pairTotal(sub.pairs) : 0, adjudicated: sub?.adjudicated ?? 0, consensus: sub?.consensus ?? 0 },
      perVerdict: est.perVerdict,
    };
  });
}
