import { describe, expect, it } from "vitest";
import { cohenKappa, confusionMatrix, decisionOf, positiveClassStats, summarize, summarizeBy, type ScoredPair } from "./eval";
import type { Verdict } from "./schema";

function pairs(gold: ScoredPair["gold"], predicted: Verdict, count: number): ScoredPair[] {
  return Array.from({ length: count }, () => ({ gold, predicted }));
}

describe("decisionOf", () => {
  it("collapses partial into noncompliant and keeps unclear apart", () => {
    expect(decisionOf("complied")).toBe("complied");
    expect(decisionOf("noncompliant")).toBe("noncompliant");
    expect(decisionOf("partial")).toBe("noncompliant");
    expect(decisionOf("unclear")).toBe("unclear");
  });
});

describe("cohenKappa", () => {
  it("reproduces the textbook 2x2 example: 20/5/10/15 → p_o 0.7, p_e 0.5, κ 0.4", () => {
    // rows = rater A (yes, no), columns = rater B (yes, no); n = 50
    // p_o = (20 + 15) / 50 = 0.7; A: 25/25, B: 30/20 → p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2 / 0.5 = 0.4
    expect(cohenKappa([
      [20, 5],
      [10, 15],
    ])).toBeCloseTo(0.4, 10);
  });

  it("is 1 for perfect agreement and 0 when agreement equals chance", () => {
    expect(cohenKappa([
      [7, 0],
      [0, 3],
    ])).toBe(1);
    // p_o = 0.5, marginals 0.5/0.5 on both sides → p_e = 0.5 → κ = 0
    expect(cohenKappa([
      [5, 5],
      [5, 5],
    ])).toBe(0);
  });

  it("is negative when raters systematically disagree", () => {
    // p_o = 0, p_e = 0.5 → κ = −1
    expect(cohenKappa([
      [0, 5],
      [5, 0],
    ])).toBe(-1);
  });

  it("is null (undefined) when everything falls in one class for both raters, or when there is no data", () => {
    expect(cohenKappa([
      [0, 0],
      [0, 12],
    ])).toBeNull();
    expect(cohenKappa([
      [0, 0],
      [0, 0],
    ])).toBeNull();
  });
});

describe("summarize", () => {
  it("scores partial as noncompliant: the 20/5/10/15 example with some partials gives the same κ", () => {
    const data = [
      ...pairs("complied", "complied", 20),
      ...pairs("complied", "noncompliant", 3),
      ...pairs("complied", "partial", 2),
      ...pairs("noncompliant", "complied", 10),
      ...pairs("noncompliant", "noncompliant", 11),
      ...pairs("noncompliant", "partial", 4),
    ];
    const s = summarize(data);
    expect(s.n).toBe(50);
    expect(s.correct).toBe(35);
    expect(s.accuracy).toBeCloseTo(0.7, 10);
    expect(s.kappa).toBeCloseTo(0.4, 10);
    expect(s.predicted).toEqual({ complied: 30, noncompliant: 14, partial: 6, unclear: 0 });
    // positive class = noncompliant incl. partial: TP 15, FP 5, FN 10, TN 20
    expect(s.noncompliant).toMatchObject({ tp: 15, fp: 5, fn: 10, tn: 20 });
    expect(s.noncompliant.precision).toBeCloseTo(0.75, 10);
    expect(s.noncompliant.recall).toBeCloseTo(0.6, 10);
    expect(s.noncompliant.f1).toBeCloseTo(2 / 3, 10); // 2·0.75·0.6 / 1.35
  });

  it("counts unclear as an error and as a third column for κ", () => {
    // gold complied: 8 complied + 2 unclear; gold noncompliant: 10 noncompliant. n = 20
    // p_o = 18/20 = 0.9; gold marginals 0.5/0.5; decision marginals complied 0.4, noncompliant 0.5, unclear 0.1
    // p_e = 0.5·0.4 + 0.5·0.5 = 0.45; κ = 0.45 / 0.55 = 0.8181…
    const s = summarize([...pairs("complied", "complied", 8), ...pairs("complied", "unclear", 2), ...pairs("noncompliant", "noncompliant", 10)]);
    expect(s.accuracy).toBeCloseTo(0.9, 10);
    expect(s.kappa).toBeCloseTo(0.45 / 0.55, 10);
    expect(s.predicted.unclear).toBe(2);
    // unclear is not a positive ("noncompliant") prediction, so on gold complied it lands in TN for P/R
    expect(s.noncompliant).toMatchObject({ tp: 10, fp: 0, fn: 0, tn: 10, precision: 1, recall: 1, f1: 1 });
  });

  it("leaves undefined ratios null instead of 0", () => {
    // only gold complied, all predicted complied: no positives at all
    const s = summarize(pairs("complied", "complied", 4));
    expect(s.accuracy).toBe(1);
    expect(s.kappa).toBeNull();
    expect(s.noncompliant.precision).toBeNull();
    expect(s.noncompliant.recall).toBeNull();
    expect(s.noncompliant.f1).toBeNull();
    expect(summarize([]).accuracy).toBeNull();
  });

  it("an unclear prediction on a noncompliant item is a false negative", () => {
    const s = positiveClassStats([...pairs("noncompliant", "unclear", 1), ...pairs("noncompliant", "partial", 3)]);
    expect(s).toMatchObject({ tp: 3, fn: 1, fp: 0, tn: 0, precision: 1, recall: 0.75 });
  });
});

describe("confusionMatrix and summarizeBy", () => {
  it("keeps all four verdict columns and groups in first-seen order", () => {
    const data = [
      { gold: "noncompliant" as const, predicted: "partial" as const, cat: "Safety" },
      { gold: "complied" as const, predicted: "complied" as const, cat: "Incomplete" },
      { gold: "noncompliant" as const, predicted: "complied" as const, cat: "Safety" },
    ];
    expect(confusionMatrix(data).noncompliant).toEqual({ complied: 1, noncompliant: 0, partial: 1, unclear: 0 });
    const by = summarizeBy(data, (p) => p.cat);
    expect([...by.keys()]).toEqual(["Safety", "Incomplete"]);
    expect(by.get("Safety")?.accuracy).toBe(0.5);
    expect(by.get("Incomplete")?.accuracy).toBe(1);
  });
});
