// Agreement statistics for nominal labels. Pure: no I/O, no Prisma.
//
// Definitions (the Agreement page states them; the tests reproduce published worked examples):
// - Confusion matrix over a label set: counts[i][j] = items rater A (rows) put in labels[i] and rater B
//   (columns) in labels[j]. A label outside the set is a programming error (RangeError), never dropped.
// - Accuracy (observed agreement) p_o = Σ_i counts[i][i] / n.
// - Cohen's κ (Cohen 1960) = (p_o − p_e) / (1 − p_e), p_e = Σ_i (row_i / n)(col_i / n).
// - Pairwise Cohen's κ for many raters: for every pair of raters, κ over the items both rated.
// - Fleiss' κ (Fleiss 1971) assumes every item has the same number of ratings m. Items here can have
//   any number (queues differ in k, labels get deleted), and the generalisation to varying m is not
//   implemented: fleissKappa keeps the items with the modal number of ratings (among items with at least
//   two; on a tie the larger m) and reports m and how many items it left out.
// - Krippendorff's α, nominal, with missing data (Krippendorff 2011, "Computing Krippendorff's
//   Alpha-Reliability"): coincidences within units that have ≥ 2 values, each ordered pair of values from
//   different raters weighted 1 / (m_u − 1); α = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k.
// - Agreement with the consensus: for each rater and item, the consensus of the *other* raters
//   (leave-one-out) is their strict majority (more than half of them agree, the rule of the human final
//   verdict); items where the others have no strict majority are not compared.
//
// Degenerate inputs return null, never NaN: no items (n = 0), a single category on both sides (p_e = 1,
// agreement beyond chance is undefined), no item with two ratings (Fleiss, α).

export interface ConfusionMatrix<L extends string = string> {
  labels: readonly L[];
  /** counts[row][column]; rows are the first rater (e.g. the judge), columns the second (e.g. the human). */
  counts: number[][];
}

export interface Rating<L extends string = string> {
  item: string;
  rater: string;
  label: L;
}

function indexOf<L extends string>(labels: readonly L[], label: L): number {
  const i = labels.indexOf(label);
  if (i < 0) throw new RangeError(`label ${JSON.stringify(label)} is not one of ${labels.map((l) => JSON.stringify(l)).join(", ")}`);
  return i;
}

export function emptyMatrix<L extends string>(labels: readonly L[]): ConfusionMatrix<L> {
  return { labels, counts: labels.map(() => labels.map(() => 0)) };
}

/** Adds `count` items with row label `a` and column label `b` (in place). */
export function addToMatrix<L extends string>(m: ConfusionMatrix<L>, a: L, b: L, count = 1): void {
  m.counts[indexOf(m.labels, a)][indexOf(m.labels, b)] += count;
}

export function confusionMatrix<L extends string>(pairs: Iterable<readonly [L, L]>, labels: readonly L[]): ConfusionMatrix<L> {
  const m = emptyMatrix(labels);
  for (const [a, b] of pairs) addToMatrix(m, a, b);
  return m;
}

/** Sums matrices over the same label set (e.g. subcategories into a category). */
export function sumMatrices<L extends string>(labels: readonly L[], ms: Iterable<ConfusionMatrix<L>>): ConfusionMatrix<L> {
  const out = emptyMatrix(labels);
  for (const m of ms) {
    if (m.labels.length !== labels.length || m.labels.some((l, i) => l !== labels[i])) throw new RangeError("sumMatrices: label sets differ");
    m.counts.forEach((row, i) => row.forEach((x, j) => (out.counts[i][j] += x)));
  }
  return out;
}

export function matrixTotal(m: ConfusionMatrix): number {
  return m.counts.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
}

/** Observed agreement p_o; null when the matrix is empty. */
export function accuracy(m: ConfusionMatrix): number | null {
  const n = matrixTotal(m);
  if (n === 0) return null;
  return m.counts.reduce((s, row, i) => s + row[i], 0) / n;
}

/** Cohen's κ; null when the matrix is empty or p_e = 1 (both raters used one and the same category only). */
export function cohenKappa(m: ConfusionMatrix): number | null {
  const n = matrixTotal(m);
  if (n === 0) return null;
  const k = m.labels.length;
  let po = 0;
  let pe = 0;
  for (let i = 0; i < k; i++) {
    po += m.counts[i][i];
    const row = m.counts[i].reduce((a, b) => a + b, 0);
    const col = m.counts.reduce((s, r) => s + r[i], 0);
    pe += (row / n) * (col / n);
  }
  po /= n;
  // p_e is a sum of products of fractions: allow for rounding when it is 1 in exact arithmetic.
  if (pe >= 1 - 1e-12) return null;
  return (po - pe) / (1 - pe);
}

/** item → rater → label; a rater rating one item twice is an error (labels are one per response per annotator). */
function byItem<L extends string>(ratings: Iterable<Rating<L>>): Map<string, Map<string, L>> {
  const items = new Map<string, Map<string, L>>();
  for (const r of ratings) {
    let m = items.get(r.item);
    if (!m) items.set(r.item, (m = new Map()));
    if (m.has(r.rater)) throw new RangeError(`rater ${r.rater} rated item ${r.item} twice`);
    m.set(r.rater, r.label);
  }
  return items;
}

export interface PairAgreement {
  /** The two raters, a < b in string order. */
  a: string;
  b: string;
  /** Items both rated. */
  n: number;
  agreement: number | null;
  kappa: number | null;
}

/** Cohen's κ for every pair of raters that share at least one item, over the items both rated. */
export function pairwiseKappa<L extends string>(ratings: Iterable<Rating<L>>, labels: readonly L[]): PairAgreement[] {
  const pairs = new Map<string, { a: string; b: string; m: ConfusionMatrix<L> }>();
  for (const raters of byItem(ratings).values()) {
    const ids = [...raters.keys()].sort();
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const key = JSON.stringify([ids[i], ids[j]]);
        let p = pairs.get(key);
        if (!p) pairs.set(key, (p = { a: ids[i], b: ids[j], m: emptyMatrix(labels) }));
        addToMatrix(p.m, raters.get(ids[i])!, raters.get(ids[j])!);
      }
    }
  }
  return [...pairs.values()]
    .sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1))
    .map(({ a, b, m }) => ({ a, b, n: matrixTotal(m), agreement: accuracy(m), kappa: cohenKappa(m) }));
}

/**
 * Fleiss' κ from a subjects × categories table of counts (table[i][j] = raters who put item i in category j),
 * every row summing to the same m ≥ 2 (a RangeError otherwise). Null when there are no rows or P̄_e = 1.
 */
export function fleissKappaFromCounts(table: readonly (readonly number[])[]): number | null {
  const N = table.length;
  if (N === 0) return null;
  const m = table[0].reduce((a, b) => a + b, 0);
  if (table.some((row) => row.reduce((a, b) => a + b, 0) !== m)) throw new RangeError("fleissKappaFromCounts: every item needs the same number of ratings");
  if (m < 2) return null;
  const k = table[0].length;
  let pBar = 0;
  for (const row of table) pBar += (row.reduce((s, x) => s + x * x, 0) - m) / (m * (m - 1));
  pBar /= N;
  let pe = 0;
  for (let j = 0; j < k; j++) {
    const pj = table.reduce((s, row) => s + row[j], 0) / (N * m);
    pe += pj * pj;
  }
  if (pe >= 1 - 1e-12) return null;
  return (pBar - pe) / (1 - pe);
}

export interface FleissResult {
  kappa: number | null;
  /** Items used: those with exactly `raters` ratings. */
  items: number;
  /** The modal number of ratings per item (among items with at least two), or 0 when there is none. */
  raters: number;
  /** Items with two or more ratings left out because their number of ratings is not the modal one. */
  excluded: number;
}

/** Fleiss' κ over the items with the modal number of ratings (see the definitions above). */
export function fleissKappa<L extends string>(ratings: Iterable<Rating<L>>, labels: readonly L[]): FleissResult {
  const items = [...byItem(ratings).values()].filter((r) => r.size >= 2);
  const freq = new Map<number, number>();
  for (const r of items) freq.set(r.size, (freq.get(r.size) ?? 0) + 1);
  let m = 0;
  for (const [size, f] of freq) if (f > (freq.get(m) ?? 0) || (f === freq.get(m) && size > m)) m = size;
  const used = items.filter((r) => r.size === m);
  const table = used.map((r) => {
    const row = labels.map(() => 0);
    for (const label of r.values()) row[indexOf(labels, label)]++;
    return row;
  });
  return { kappa: fleissKappaFromCounts(table), items: used.length, raters: m, excluded: items.length - used.length };
}

export interface AlphaResult {
  alpha: number | null;
  /** Pairable values n: values in units with at least two of them. */
  values: number;
  /** Units with at least two values. */
  units: number;
}

/** Krippendorff's α for nominal data; raters may skip items (missing data). Labels are any strings. */
export function krippendorffAlphaNominal<L extends string>(ratings: Iterable<Rating<L>>): AlphaResult {
  // o[c][k]: coincidences of values c and k. Only nominal data, so only the totals matter: Σ_{c≠k} o_ck
  // (disagreeing pairs) and the marginals n_c.
  let disagree = 0;
  const nc = new Map<string, number>();
  let units = 0;
  for (const raters of byItem(ratings).values()) {
    const mu = raters.size;
    if (mu < 2) continue;
    units++;
    const counts = new Map<string, number>();
    for (const v of raters.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
    // Ordered pairs of values from different raters with different values: Σ_{c≠k} n_uc n_uk = m_u² − Σ_c n_uc².
    let sq = 0;
    for (const [v, x] of counts) {
      sq += x * x;
      nc.set(v, (nc.get(v) ?? 0) + x);
    }
    disagree += (mu * mu - sq) / (mu - 1);
  }
  const n = [...nc.values()].reduce((a, b) => a + b, 0);
  // Σ_{c≠k} n_c n_k = n² − Σ_c n_c².
  const expected = n * n - [...nc.values()].reduce((s, x) => s + x * x, 0);
  if (n < 2 || expected <= 0) return { alpha: null, values: n, units };
  return { alpha: 1 - ((n - 1) * disagree) / expected, values: n, units };
}

/** The label more than half of `labels` carry, or null (a tie, or no labels). */
export function strictMajority<L extends string>(labels: readonly L[]): L | null {
  const counts = new Map<L, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  for (const [l, n] of counts) if (n * 2 > labels.length) return l;
  return null;
}

export interface RaterConsensus {
  rater: string;
  /** Items the rater labelled. */
  items: number;
  /** Items where the other raters had a strict majority (what was compared). */
  compared: number;
  agreed: number;
  /** agreed / compared; null when nothing could be compared. */
  agreement: number | null;
  /** Cohen's κ of the rater (rows) against the leave-one-out consensus (columns). */
  kappa: number | null;
}

/** Each rater against the strict majority of the others on the same item, sorted by rater id. */
export function consensusAgreement<L extends string>(ratings: Iterable<Rating<L>>, labels: readonly L[]): RaterConsensus[] {
  const per = new Map<string, { items: number; m: ConfusionMatrix<L> }>();
  for (const raters of byItem(ratings).values()) {
    for (const [rater, label] of raters) {
      let p = per.get(rater);
      if (!p) per.set(rater, (p = { items: 0, m: emptyMatrix(labels) }));
      p.items++;
      const others = [...raters].filter(([r]) => r !== rater).map(([, l]) => l);
      const consensus = strictMajority(others);
      if (consensus !== null) addToMatrix(p.m, label, consensus);
    }
  }
  return [...per.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([rater, { items, m }]) => {
      const compared = matrixTotal(m);
      const agreed = m.counts.reduce((s, row, i) => s + row[i], 0);
      return { rater, items, compared, agreed, agreement: compared ? agreed / compared : null, kappa: cohenKappa(m) };
    });
}
