// Judge compliance rates corrected by the human-labelled sample. Pure, deterministic (seeded PRNG).
//
// The judge labelled every response of a cell (run × subcategory × expectation); humans gave a final
// verdict (adjudicated, else strict-majority consensus) to a sample of responses. From the sample's
// pairs (judge verdict v → human final verdict) we estimate, per judge verdict,
//     P(complied | judge said v) = pairs with judge v whose human verdict is `complied` ÷ pairs with judge v
// and correct the cell's rate:
//     corrected = Σ_v share_v × P(complied | v),   share_v = the cell's judge labels with verdict v ÷ all of them.
// "Complied" collapses as in lib/metrics/rates.ts: a human `partial` or `unclear` is not complied, and the
// denominator is every labelled response, so with a judge that is always right the corrected rate equals
// the raw one.
//
// Assumptions, stated where the number is shown:
// - P(complied | v) is the same in every run of the subcategory (the sample is pooled across runs). It is a
//   predictive value, so it also carries the sample's mix of responses: a run whose responses differ much
//   from the sampled ones is corrected less accurately.
// - The sample may be chosen by judge verdict (e.g. more disagreements reviewed): conditioning on v undoes
//   that. A sample chosen by anything else correlated with the truth (only hard items) biases the estimate.
// - A judge verdict that occurs in the cell but never in the subcategory's sample takes its P(complied | v)
//   from the category's pooled sample (all its subcategories, same expectation); `from` says which was used.
//   When the category has no such pair either, the cell is "insufficient_sample": no corrected rate,
//   rather than one resting on a guess.
//
// Interval: percentile bootstrap. Each resample draws the cell's judge labels again (N with replacement,
// i.e. multinomial with the observed shares) and, within each judge verdict, the sample pairs again (m_v with
// replacement: the sample is stratified by judge verdict, so no stratum comes out empty), and recomputes the
// corrected rate; the interval is the (1 − level)/2 and (1 + level)/2 quantiles of the resampled rates. A
// stratum whose pairs all agree (k = 0 or k = m) contributes no width: with few pairs the interval is too
// narrow, which is why the pair counts are shown beside it. Cost: about resamples × 2 × (verdicts in the cell)
// binomial draws by table lookup, after building each distinct binomial table once (see BinomialSampler).
import { complianceRate, total, VERDICTS, type Interval, type Rate, type VerdictCounts, type VerdictName } from "../metrics/rates";

/** Sample pairs: pairs[judge verdict][human final verdict] = responses. */
export type PairCounts = Record<VerdictName, VerdictCounts>;

export function emptyPairs(): PairCounts {
  const z = (): VerdictCounts => ({ complied: 0, noncompliant: 0, partial: 0, unclear: 0 });
  return { complied: z(), noncompliant: z(), partial: z(), unclear: z() };
}

/** Adds b into a (in place) and returns a. */
export function addPairs(a: PairCounts, b: PairCounts): PairCounts {
  for (const j of VERDICTS) for (const h of VERDICTS) a[j][h] += b[j][h];
  return a;
}

export function pairTotal(p: PairCounts): number {
  return VERDICTS.reduce((s, j) => s + total(p[j]), 0);
}

export interface CorrectionInput {
  /** The cell's judge labels per verdict. */
  judgeCounts: VerdictCounts;
  /** The subcategory's sample (same expectation, all runs). */
  pairs: PairCounts;
  /** The category's pooled sample (same expectation), for judge verdicts the subcategory's sample lacks. */
  pooledPairs?: PairCounts;
}

export interface CorrectionOptions {
  /** Bootstrap resamples (default 2,000). */
  resamples?: number;
  /** PRNG seed (default 1): the same input and seed give the same interval. */
  seed?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
}

export type CorrectionStatus = "ok" | "no_labels" | "insufficient_sample";

export interface VerdictCorrection {
  /** Share of the cell's judge labels with this verdict. */
  share: number;
  /** Estimated P(human final = complied | judge said this verdict); null without pairs. */
  pComplied: number | null;
  /** Pairs the estimate rests on. */
  pairs: number;
  /** Which sample the estimate came from. */
  from: "subcategory" | "category" | null;
}

export interface CorrectedEstimate {
  /** The judge's own compliance rate (lib/metrics/rates.ts, Wilson interval). */
  raw: Rate;
  corrected: number | null;
  interval: Interval | null;
  status: CorrectionStatus;
  perVerdict: Record<VerdictName, VerdictCorrection>;
  resamples: number;
}

/** mulberry32: a small seeded PRNG, uniform on [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from strings (FNV-1a), so each cell's interval depends on its own key only. */
export function seedFrom(...parts: string[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join("\u0000")) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Binomial draws by inversion of the CDF: one uniform and a binary search per draw. Tables are built on first
 * use per (n, p) and kept, since a bootstrap draws from the same few distributions thousands of times (a sum
 * of n Bernoulli draws cost O(n) per draw; this is O(log σ) after an O(σ) table, σ = √(np(1 − p))).
 */
export class BinomialSampler {
  // p → n → table (numeric keys: a string key per draw cost more than the draw itself).
  private tables = new Map<number, Map<number, BinomialTable>>();
  constructor(private readonly rand: () => number) {}

  /** The table of Binomial(n, p), built once (0 < p < 1, n ≥ 1). */
  table(n: number, p: number): BinomialTable {
    let byN = this.tables.get(p);
    if (!byN) this.tables.set(p, (byN = new Map()));
    let t = byN.get(n);
    if (!t) byN.set(n, (t = binomialTable(n, p)));
    return t;
  }

  draw(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    return this.fromTable(this.table(n, p));
  }

  /** A draw from a table: lo + the smallest i with u < cdf[i] (the last entry is 1). */
  fromTable(t: BinomialTable): number {
    const u = this.rand();
    let a = 0;
    let b = t.cdf.length - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (u < t.cdf[mid]) b = mid;
      else a = mid + 1;
    }
    return t.lo + a;
  }
}

/** cdf[i] = P(X ≤ lo + i) for X ~ Binomial(n, p), over the support that carries any mass in double precision. */
export interface BinomialTable {
  lo: number;
  cdf: Float64Array;
}

/**
 * The pmf from the mode outwards by the ratio pmf(k + 1)/pmf(k) = (n − k)/(k + 1) · p/(1 − p), unnormalised
 * (the mode weighs 1, so nothing underflows for large n), stopping where a term falls below 1e-20 of the
 * mode: the mass left out is far below the 2⁻³² resolution of the uniforms that are inverted.
 */
export function binomialTable(n: number, p: number): BinomialTable {
  const odds = p / (1 - p);
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const up: number[] = [];
  for (let k = mode, w = 1; k < n; k++) {
    w *= ((n - k) / (k + 1)) * odds;
    if (w < 1e-20) break;
    up.push(w);
  }
  const down: number[] = [];
  for (let k = mode, w = 1; k > 0; k--) {
    w *= k / (n - k + 1) / odds;
    if (w < 1e-20) break;
    down.push(w);
  }
  const weights = [...down.reverse(), 1, ...up];
  const sum = weights.reduce((a, b) => a + b, 0);
  const cdf = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => (cdf[i] = (acc += w) / sum));
  cdf[cdf.length - 1] = 1;
  return { lo: mode - down.length, cdf };
}

/** Sorted ascending; the percentile interval at `level`. */
function percentile(sorted: Float64Array, level: number): Interval {
  const B = sorted.length;
  const lo = Math.max(0, Math.floor(((1 - level) / 2) * B));
  const hi = Math.min(B - 1, Math.ceil(((1 + level) / 2) * B) - 1);
  return { low: sorted[lo], high: sorted[hi] };
}

export function correctedRate(input: CorrectionInput, opts: CorrectionOptions = {}): CorrectedEstimate {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be within (0, 1), got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const raw = complianceRate(input.judgeCounts);
  const N = raw.n;
  const perVerdict = {} as Record<VerdictName, VerdictCorrection>;
  let insufficient = false;
  for (const v of VERDICTS) {
    const share = N ? input.judgeCounts[v] / N : 0;
    const sub = input.pairs[v];
    const pooled = input.pooledPairs?.[v];
    const [from, counts] = total(sub) > 0 ? (["subcategory", sub] as const) : pooled && total(pooled) > 0 ? (["category", pooled] as const) : ([null, null] as const);
    const m = counts ? total(counts) : 0;
    perVerdict[v] = { share, pComplied: counts ? counts.complied / m : null, pairs: m, from };
    if (input.judgeCounts[v] > 0 && !counts) insufficient = true;
  }
  if (N === 0) return { raw, corrected: null, interval: null, status: "no_labels", perVerdict, resamples: 0 };
  if (insufficient) return { raw, corrected: null, interval: null, status: "insufficient_sample", perVerdict, resamples: 0 };

  // Only verdicts present in the cell contribute (share_v > 0).
  const used = VERDICTS.filter((v) => input.judgeCounts[v] > 0);
  const corrected = used.reduce((s, v) => s + perVerdict[v].share * perVerdict[v].pComplied!, 0);

  // Multinomial draws of the cell's judge labels as conditional binomials: the count of the j-th verdict
  // is Binomial(labels left, share_j / share left); the last verdict takes the rest.
  const sampler = new BinomialSampler(mulberry32(opts.seed ?? 1));
  const shares = used.map((v) => input.judgeCounts[v] / N);
  const conditional = shares.map((s, j) => Math.min(1, s / shares.slice(j).reduce((a, b) => a + b, 0)));
  // The sample strata have a fixed (m_v, P(complied | v)): their tables are looked up once.
  const strata = used.map((v) => {
    const { pComplied, pairs } = perVerdict[v];
    return { pairs, p: pComplied!, table: pComplied! > 0 && pComplied! < 1 ? sampler.table(pairs, pComplied!) : null };
  });
  const stats = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let left = N;
    let s = 0;
    for (let j = 0; j < used.length && left > 0; j++) {
      const drawn = j === used.length - 1 ? left : sampler.draw(left, conditional[j]);
      left -= drawn;
      if (drawn === 0) continue;
      const st = strata[j];
      const k = st.table ? sampler.fromTable(st.table) : st.p * st.pairs;
      s += (drawn / N) * (k / st.pairs);
    }
    stats[b] = s;
  }
  stats.sort();
  return { raw, corrected, interval: percentile(stats, level), status: "ok", perVerdict, resamples };
}
