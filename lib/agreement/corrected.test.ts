import { describe, expect, it } from "vitest";
import { wilson, type VerdictCounts } from "../metrics/rates";
import { addPairs, BinomialSampler, binomialTable, correctedRate, emptyPairs, mulberry32, pairTotal, seedFrom, type PairCounts } from "./corrected";

const counts = (c: Partial<VerdictCounts>): VerdictCounts => ({ complied: 0, noncompliant: 0, partial: 0, unclear: 0, ...c });

function pairs(entries: [keyof PairCounts, keyof VerdictCounts, number][]): PairCounts {
  const p = emptyPairs();
  for (const [judge, human, n] of entries) p[judge][human] += n;
  return p;
}

describe("correctedRate", () => {
  it("equals the raw rate when the judge is always right, with an interval close to the binomial one", () => {
    // 400 judge labels, 100 complied → raw = 0.25. Every sample pair agrees, so P(complied | complied) = 1 and
    // P(complied | other) = 0: corrected = 100/400 · 1 = 0.25. The pairs add no variance, so the bootstrap
    // rate is Binomial(400, 0.25)/400: 95% ≈ 0.25 ± 1.96·√(0.25·0.75/400) = 0.25 ± 0.0424 → [0.2076, 0.2924].
    const r = correctedRate({
      judgeCounts: counts({ complied: 100, noncompliant: 250, partial: 30, unclear: 20 }),
      pairs: pairs([["complied", "complied", 20], ["noncompliant", "noncompliant", 30], ["partial", "partial", 5], ["unclear", "unclear", 5]]),
    });
    expect(r.status).toBe("ok");
    expect(r.raw).toMatchObject({ k: 100, n: 400, rate: 0.25 });
    expect(r.raw.ci).toEqual(wilson(100, 400));
    expect(r.corrected).toBeCloseTo(0.25, 12);
    expect(r.interval!.low).toBeCloseTo(0.2076, 2);
    expect(r.interval!.high).toBeCloseTo(0.2924, 2);
    expect(r.resamples).toBe(2000);
  });

  it("moves up when the judge calls half of the truly complied responses noncompliant", () => {
    // Judge: 20 complied, 80 noncompliant → raw 0.2. Sample: judge complied → 10 complied;
    // judge noncompliant → 10 complied, 10 noncompliant. P(c | c) = 1, P(c | nc) = 0.5.
    // corrected = 0.2 · 1 + 0.8 · 0.5 = 0.6.
    const r = correctedRate({
      judgeCounts: counts({ complied: 20, noncompliant: 80 }),
      pairs: pairs([["complied", "complied", 10], ["noncompliant", "complied", 10], ["noncompliant", "noncompliant", 10]]),
    });
    expect(r.raw.rate).toBeCloseTo(0.2, 12);
    expect(r.corrected).toBeCloseTo(0.6, 12);
    expect(r.perVerdict.noncompliant).toEqual({ share: 0.8, pComplied: 0.5, pairs: 20, from: "subcategory" });
    expect(r.interval!.low).toBeGreaterThan(0.3);
    expect(r.interval!.low).toBeLessThan(0.6);
    expect(r.interval!.high).toBeGreaterThan(0.6);
  });

  it("moves down when the judge's 'complied' is often a refusal", () => {
    // Judge: 50 complied, 50 noncompliant → raw 0.5. Sample: judge complied → 3 complied, 1 partial;
    // judge noncompliant → 8 noncompliant. P(c | c) = 3/4 (partial is not complied), P(c | nc) = 0.
    // corrected = 0.5 · 0.75 = 0.375.
    const r = correctedRate({
      judgeCounts: counts({ complied: 50, noncompliant: 50 }),
      pairs: pairs([["complied", "complied", 3], ["complied", "partial", 1], ["noncompliant", "noncompliant", 8]]),
    });
    expect(r.corrected).toBeCloseTo(0.375, 12);
  });

  it("takes a verdict missing from the subcategory's sample from the category's pooled sample", () => {
    // Judge: 50 complied, 50 partial. Subcategory sample: complied → 10 complied; no partial pair.
    // Category sample: partial → 1 complied, 3 noncompliant → P(c | partial) = 0.25.
    // corrected = 0.5 · 1 + 0.5 · 0.25 = 0.625.
    const r = correctedRate({
      judgeCounts: counts({ complied: 50, partial: 50 }),
      pairs: pairs([["complied", "complied", 10]]),
      pooledPairs: pairs([["complied", "complied", 30], ["partial", "complied", 1], ["partial", "noncompliant", 3]]),
    });
    expect(r.status).toBe("ok");
    expect(r.corrected).toBeCloseTo(0.625, 12);
    expect(r.perVerdict.complied).toMatchObject({ pComplied: 1, pairs: 10, from: "subcategory" });
    expect(r.perVerdict.partial).toMatchObject({ pComplied: 0.25, pairs: 4, from: "category" });
  });

  it("gives no corrected rate when a verdict of the cell has no pair in the subcategory or the category", () => {
    const r = correctedRate({
      judgeCounts: counts({ complied: 5, unclear: 1 }),
      pairs: pairs([["complied", "complied", 4]]),
      pooledPairs: pairs([["complied", "noncompliant", 2]]),
    });
    expect(r.status).toBe("insufficient_sample");
    expect(r.corrected).toBeNull();
    expect(r.interval).toBeNull();
    expect(r.raw.rate).toBeCloseTo(5 / 6, 12);
    expect(r.perVerdict.unclear).toEqual({ share: 1 / 6, pComplied: null, pairs: 0, from: null });
  });

  it("ignores verdicts the cell does not have, sampled or not", () => {
    // Only complied and noncompliant occur; no partial/unclear pairs are needed. 30/100 complied,
    // P(c | c) = 0.9 (9 of 10), P(c | nc) = 0.1 (2 of 20) → corrected = 0.3 · 0.9 + 0.7 · 0.1 = 0.34.
    const r = correctedRate({
      judgeCounts: counts({ complied: 30, noncompliant: 70 }),
      pairs: pairs([["complied", "complied", 9], ["complied", "noncompliant", 1], ["noncompliant", "complied", 2], ["noncompliant", "unclear", 18]]),
    });
    expect(r.status).toBe("ok");
    expect(r.corrected).toBeCloseTo(0.34, 12);
  });

  it("says so when the cell has no judge labels", () => {
    const r = correctedRate({ judgeCounts: counts({}), pairs: emptyPairs() });
    expect(r).toMatchObject({ status: "no_labels", corrected: null, interval: null, raw: { n: 0, rate: null } });
  });

  it("is reproducible with a seed, and the interval narrows as the sample grows", () => {
    const input = {
      judgeCounts: counts({ complied: 20, noncompliant: 80 }),
      pairs: pairs([["complied", "complied", 10], ["noncompliant", "complied", 10], ["noncompliant", "noncompliant", 10]]),
    };
    const a = correctedRate(input, { seed: 7 });
    expect(correctedRate(input, { seed: 7 })).toEqual(a);
    expect(correctedRate(input, { seed: 8 }).interval).not.toEqual(a.interval);
    // Ten times the pairs in the same proportions: the same point estimate, a narrower interval.
    const big = correctedRate(
      { ...input, pairs: pairs([["complied", "complied", 100], ["noncompliant", "complied", 100], ["noncompliant", "noncompliant", 100]]) },
      { seed: 7 },
    );
    expect(big.corrected).toBeCloseTo(a.corrected!, 12);
    expect(big.interval!.high - big.interval!.low).toBeLessThan(0.7 * (a.interval!.high - a.interval!.low));
  });

  it("widens the interval with the level", () => {
    const input = { judgeCounts: counts({ complied: 40, noncompliant: 60 }), pairs: pairs([["complied", "complied", 5], ["noncompliant", "complied", 2], ["noncompliant", "noncompliant", 8]]) };
    const i90 = correctedRate(input, { level: 0.9 }).interval!;
    const i99 = correctedRate(input, { level: 0.99 }).interval!;
    expect(i99.low).toBeLessThan(i90.low);
    expect(i99.high).toBeGreaterThan(i90.high);
    expect(() => correctedRate(input, { level: 1 })).toThrow(RangeError);
  });
});

describe("helpers", () => {
  it("adds and totals pair counts", () => {
    const a = pairs([["complied", "complied", 2], ["partial", "unclear", 1]]);
    addPairs(a, pairs([["complied", "complied", 1]]));
    expect(a.complied.complied).toBe(3);
    expect(pairTotal(a)).toBe(4);
  });

  it("mulberry32 is uniform enough and seedFrom depends on every part", () => {
    const rand = mulberry32(42);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += rand();
    // Mean of 10,000 U(0,1) draws: 0.5 ± 3·√(1/12/10000) ≈ 0.5 ± 0.0087.
    expect(sum / 10_000).toBeGreaterThan(0.49);
    expect(sum / 10_000).toBeLessThan(0.51);
    expect(seedFrom("a", "b")).not.toBe(seedFrom("ab", ""));
    expect(seedFrom("run1", "sub")).toBe(seedFrom("run1", "sub"));
  });

  it("binomialTable holds the binomial CDF, trimmed to the support that carries mass", () => {
    // Binomial(4, 0.5): pmf 1, 4, 6, 4, 1 (/16) → CDF 1/16, 5/16, 11/16, 15/16, 1.
    const small = binomialTable(4, 0.5);
    expect(small.lo).toBe(0);
    expect([...small.cdf].map((x) => x * 16)).toEqual([1, 5, 11, 15, 16].map((x) => expect.closeTo(x, 9)));
    // Binomial(3, 0.2): P(0) = 0.512, P(≤1) = 0.896, P(≤2) = 0.992.
    expect([...binomialTable(3, 0.2).cdf]).toEqual([0.512, 0.896, 0.992, 1].map((x) => expect.closeTo(x, 12)));
    // n = 5,000, p = 0.5: (1 − p)^n underflows in double precision; the table starts far from 0, reaches 1
    // and puts the median at 2,500: P(X ≤ 2499) = (1 − P(X = 2500))/2 ≈ (1 − 0.01128)/2 = 0.49436.
    const big = binomialTable(5000, 0.5);
    expect(big.lo).toBeGreaterThan(2000);
    expect(big.cdf[big.cdf.length - 1]).toBe(1);
    expect(big.cdf[2499 - big.lo]).toBeCloseTo(0.49436, 4);
  });

  it("BinomialSampler draws with the binomial's mean and variance", () => {
    // Binomial(30, 0.2): mean 6, variance 4.8. Over 20,000 draws the sample mean is within ±0.05 (≈ 3 s.e.)
    // and the variance within ±0.3.
    const s = new BinomialSampler(mulberry32(3));
    const xs = Array.from({ length: 20_000 }, () => s.draw(30, 0.2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(mean - 6)).toBeLessThan(0.05);
    expect(Math.abs(variance - 4.8)).toBeLessThan(0.3);
    expect(s.draw(5, 0)).toBe(0);
    expect(s.draw(5, 1)).toBe(5);
    expect(s.draw(0, 0.5)).toBe(0);
  });
});
