import { describe, expect, it } from "vitest";
import {
  accuracy,
  cohenKappa,
  confusionMatrix,
  consensusAgreement,
  emptyMatrix,
  fleissKappa,
  fleissKappaFromCounts,
  krippendorffAlphaNominal,
  pairwiseKappa,
  strictMajority,
  sumMatrices,
  type Rating,
} from "./stats";

const YN = ["yes", "no"] as const;

/** A 2×2 table given as counts → the matching pairs (so the tests go through confusionMatrix too). */
function pairsOf(table: number[][]): [string, string][] {
  const out: [string, string][] = [];
  table.forEach((row, i) => row.forEach((x, j) => out.push(...Array.from({ length: x }, () => [YN[i], YN[j]] as [string, string]))));
  return out;
}

/** A reliability data matrix (rows = raters, columns = items, null = missing) → ratings. */
function ratingsOf(matrix: (number | null)[][]): Rating[] {
  return matrix.flatMap((row, r) => row.flatMap((v, u) => (v === null ? [] : [{ item: `u${u + 1}`, rater: `r${r}`, label: String(v) }])));
}

describe("Cohen's κ", () => {
  it("reproduces Wikipedia's worked example: 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15 → κ = 0.4", () => {
    // Source: https://en.wikipedia.org/wiki/Cohen%27s_kappa, "Simple example".
    // p_o = 35/50 = 0.7; A says yes 25/50, B says yes 30/50 → p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
    const m = confusionMatrix(pairsOf([[20, 5], [10, 15]]), YN);
    expect(accuracy(m)).toBeCloseTo(0.7, 12);
    expect(cohenKappa(m)).toBeCloseTo(0.4, 12);
  });

  it("reproduces Wikipedia's 'same percentages but different numbers' examples: κ = 0.1304 and 0.2593", () => {
    // Source: https://en.wikipedia.org/wiki/Cohen%27s_kappa, "Same percentages but different numbers".
    // Both have p_o = 0.6; p_e = 0.6·0.7 + 0.4·0.3 = 0.54 → κ = 0.06/0.46; p_e = 0.6·0.3 + 0.4·0.7 = 0.46 → κ = 0.14/0.54.
    const a = confusionMatrix(pairsOf([[45, 15], [25, 15]]), YN);
    const b = confusionMatrix(pairsOf([[25, 35], [5, 35]]), YN);
    expect(accuracy(a)).toBeCloseTo(0.6, 12);
    expect(accuracy(b)).toBeCloseTo(0.6, 12);
    expect(cohenKappa(a)).toBeCloseTo(0.1304, 4);
    expect(cohenKappa(b)).toBeCloseTo(0.2593, 4);
  });

  it("returns null, not NaN, for no items and for a single category", () => {
    expect(accuracy(emptyMatrix(YN))).toBeNull();
    expect(cohenKappa(emptyMatrix(YN))).toBeNull();
    const one = confusionMatrix(pairsOf([[7, 0], [0, 0]]), YN);
    expect(accuracy(one)).toBe(1);
    expect(cohenKappa(one)).toBeNull();
  });

  it("rejects a label outside the label set instead of dropping it", () => {
    expect(() => confusionMatrix([["yes", "maybe"]], YN as readonly string[])).toThrow(RangeError);
  });

  it("sums matrices cell by cell", () => {
    const s = sumMatrices(YN, [confusionMatrix(pairsOf([[1, 2], [3, 4]]), YN), confusionMatrix(pairsOf([[10, 0], [0, 1]]), YN)]);
    expect(s.counts).toEqual([[11, 2], [3, 5]]);
  });
});

// Fleiss (1971) / https://en.wikipedia.org/wiki/Fleiss%27_kappa "Worked example": 10 subjects, 14 raters,
// 5 categories; P̄ = 0.378, P̄_e = 0.213, κ = 0.210.
const FLEISS_TABLE = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];
const FIVE = ["1", "2", "3", "4", "5"] as const;

/** The counts table → ratings, raters numbered per subject (Fleiss' κ does not need rater identity). */
function ratingsFromCounts(table: number[][], prefix = "s"): Rating<(typeof FIVE)[number]>[] {
  return table.flatMap((row, i) => {
    let r = 0;
    return row.flatMap((x, j) => Array.from({ length: x }, () => ({ item: `${prefix}${i}`, rater: `r${r++}`, label: FIVE[j] })));
  });
}

describe("Fleiss' κ", () => {
  it("reproduces the worked example of Fleiss (1971) as on Wikipedia: κ = 0.210", () => {
    expect(fleissKappaFromCounts(FLEISS_TABLE)).toBeCloseTo(0.21, 3);
    const r = fleissKappa(ratingsFromCounts(FLEISS_TABLE), FIVE);
    expect(r).toMatchObject({ items: 10, raters: 14, excluded: 0 });
    expect(r.kappa).toBeCloseTo(0.21, 3);
  });

  it("keeps only the items with the modal number of ratings and says how many it left out", () => {
    // Two extra subjects with 3 ratings each: 10 items have 14 ratings, so m = 14 and the two are excluded; κ is unchanged.
    const extra = ratingsFromCounts([[3, 0, 0, 0, 0], [0, 1, 1, 1, 0]], "x");
    const r = fleissKappa([...ratingsFromCounts(FLEISS_TABLE), ...extra], FIVE);
    expect(r).toMatchObject({ items: 10, raters: 14, excluded: 2 });
    expect(r.kappa).toBeCloseTo(0.21, 3);
  });

  it("returns null for no items, items rated once, and a single category", () => {
    expect(fleissKappaFromCounts([])).toBeNull();
    expect(fleissKappa([], FIVE)).toEqual({ kappa: null, items: 0, raters: 0, excluded: 0 });
    expect(fleissKappa([{ item: "a", rater: "x", label: "1" }], FIVE).kappa).toBeNull();
    expect(fleissKappaFromCounts([[3, 0], [3, 0]])).toBeNull();
    expect(() => fleissKappaFromCounts([[3, 0], [1, 1]])).toThrow(RangeError);
  });
});

describe("Krippendorff's α (nominal)", () => {
  it("reproduces Krippendorff (2011) 'Computing Krippendorff's Alpha-Reliability', C: nominal data, any number of observers, missing data → α = 0.743", () => {
    // Source: K. Krippendorff (2011), https://repository.upenn.edu/asc_papers/43, section C (4 observers × 12 units).
    // Unit 12 has a single value and is not pairable, so n = 40 values in 11 units.
    const data = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];
    const r = krippendorffAlphaNominal(ratingsOf(data));
    expect(r.values).toBe(40);
    expect(r.units).toBe(11);
    expect(r.alpha).toBeCloseTo(0.743, 3);
  });

  it("reproduces Krippendorff (2011) section A: binary data, two observers, no missing data → α = 0.095", () => {
    // Source: as above, section A. o_00 = 10, o_11 = 2, o_01 = o_10 = 4, n_0 = 14, n_1 = 6:
    // α = 1 − (20 − 1)·4 / (14·6) = 1 − 76/84 = 0.0952.
    const data = [
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ];
    expect(krippendorffAlphaNominal(ratingsOf(data)).alpha).toBeCloseTo(1 - 76 / 84, 12);
  });

  it("returns null for no pairable values and for a single category", () => {
    expect(krippendorffAlphaNominal([])).toEqual({ alpha: null, values: 0, units: 0 });
    expect(krippendorffAlphaNominal(ratingsOf([[1, 2, null], [null, null, 3]])).alpha).toBeNull();
    expect(krippendorffAlphaNominal(ratingsOf([[1, 1], [1, 1]])).alpha).toBeNull();
  });
});

// Three raters, two labels (c, n), computed by hand:
//   i1: A=c B=c C=c   i2: A=c B=n C=n   i3: A=n B=n   i4: A=n C=c
const SMALL: Rating<"c" | "n">[] = [
  { item: "i1", rater: "A", label: "c" },
  { item: "i1", rater: "B", label: "c" },
  { item: "i1", rater: "C", label: "c" },
  { item: "i2", rater: "A", label: "c" },
  { item: "i2", rater: "B", label: "n" },
  { item: "i2", rater: "C", label: "n" },
  { item: "i3", rater: "A", label: "n" },
  { item: "i3", rater: "B", label: "n" },
  { item: "i4", rater: "A", label: "n" },
  { item: "i4", rater: "C", label: "c" },
];
const CN = ["c", "n"] as const;

describe("many raters on a small hand-computed example", () => {
  it("pairwise κ uses only the items both raters labelled", () => {
    // A,B on i1–i3: (c,c) (c,n) (n,n): p_o = 2/3, p_e = (2/3)(1/3) + (1/3)(2/3) = 4/9 → κ = (2/9)/(5/9) = 0.4
    // A,C on i1, i2, i4: (c,c) (c,n) (n,c): p_o = 1/3, p_e = (2/3)² + (1/3)² = 5/9 → κ = (−2/9)/(4/9) = −0.5
    // B,C on i1, i2: (c,c) (n,n): p_o = 1, p_e = 0.5 → κ = 1
    const p = pairwiseKappa(SMALL, CN);
    expect(p.map((x) => [x.a, x.b, x.n])).toEqual([["A", "B", 3], ["A", "C", 3], ["B", "C", 2]]);
    expect(p[0].agreement).toBeCloseTo(2 / 3, 12);
    expect(p[0].kappa).toBeCloseTo(0.4, 12);
    expect(p[1].kappa).toBeCloseTo(-0.5, 12);
    expect(p[2].kappa).toBeCloseTo(1, 12);
  });

  it("Fleiss' κ: items i3 and i4 (2 ratings) tie with i1 and i2 (3 ratings); the larger count wins", () => {
    // i1 [3, 0] → P = 1; i2 [1, 2] → P = (1 + 4 − 3)/6 = 1/3; P̄ = 2/3. p_c = 4/6, p_n = 2/6 → P̄_e = 5/9.
    // κ = (2/3 − 5/9)/(1 − 5/9) = 0.25
    const r = fleissKappa(SMALL, CN);
    expect(r).toMatchObject({ items: 2, raters: 3, excluded: 2 });
    expect(r.kappa).toBeCloseTo(0.25, 12);
  });

  it("Krippendorff's α uses every item with two or more labels", () => {
    // n_c = 5, n_n = 5, n = 10; disagreeing coincidences: i2 (9 − 5)/2 = 2, i4 (4 − 2)/1 = 2 → 4.
    // α = 1 − 9·4 / (100 − 50) = 0.28
    expect(krippendorffAlphaNominal(SMALL).alpha).toBeCloseTo(0.28, 12);
  });

  it("agreement with the leave-one-out strict majority skips items where the others tie", () => {
    // A: i1 c vs c ✓, i2 c vs n ✗, i3 n vs n ✓, i4 n vs c ✗ → 2/4; matrix (c,c)(c,n)(n,n)(n,c) → κ = 0
    // B: i1 ✓, i2 others {c, n} tie → skipped, i3 ✓ → 2/2; κ = 1
    // C: i1 ✓, i2 tie → skipped, i4 c vs n ✗ → 1/2; C only says c → p_e = 1·0.5 → κ = 0
    const r = consensusAgreement(SMALL, CN);
    expect(r.map((x) => [x.rater, x.items, x.compared, x.agreed])).toEqual([["A", 4, 4, 2], ["B", 3, 2, 2], ["C", 3, 2, 1]]);
    expect(r.map((x) => x.agreement)).toEqual([0.5, 1, 0.5]);
    expect(r[0].kappa).toBeCloseTo(0, 12);
    expect(r[1].kappa).toBeCloseTo(1, 12);
    expect(r[2].kappa).toBeCloseTo(0, 12);
  });

  it("rejects a rater labelling the same item twice", () => {
    expect(() => pairwiseKappa([...SMALL, { item: "i1", rater: "A", label: "n" }], CN)).toThrow(RangeError);
  });

  it("strict majority needs more than half", () => {
    expect(strictMajority(["c", "c", "n"])).toBe("c");
    expect(strictMajority(["c", "n"])).toBeNull();
    expect(strictMajority([])).toBeNull();
  });
});
