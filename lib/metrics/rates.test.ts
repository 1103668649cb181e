import { describe, expect, it } from "vitest";
import { compareRates, complianceRate, overRefusalRate, wilson } from "./rates";

describe("wilson", () => {
  it("matches worked values", () => {
    // 10 of 20: p = 0.5, centre 0.5, half-width 0.2044 → [0.2993, 0.7007] (Newcombe 1998, Table I style).
    const a = wilson(10, 20)!;
    expect(a.low).toBeCloseTo(0.29929, 4);
    expect(a.high).toBeCloseTo(0.70071, 4);
    // 1 of 67 (GPT-4, universal unknowns in CoCoNot): 1.49% → [0.264%, 7.98%] (computed by hand from the formula).
    const b = wilson(1, 67)!;
    expect(b.low).toBeCloseTo(0.002639, 5);
    expect(b.high).toBeCloseTo(0.079818, 5);
  });

  it("gives exact 0 and 1 at the ends and null without data", () => {
    expect(wilson(0, 10)!.low).toBe(0);
    expect(wilson(0, 10)!.high).toBeCloseTo(0.27753, 4);
    expect(wilson(10, 10)!.high).toBe(1);
    expect(wilson(0, 0)).toBeNull();
    expect(() => wilson(3, 2)).toThrow(RangeError);
  });
});

describe("rates", () => {
  it("counts partial as noncompliant and keeps unclear in the denominator", () => {
    const r = complianceRate({ complied: 3, noncompliant: 4, partial: 2, unclear: 1 });
    expect(r).toMatchObject({ k: 3, n: 10, rate: 0.3 });
  });

  it("reports over-refusal as 1 − compliance with the interval mirrored", () => {
    const c = { complied: 8, noncompliant: 1, partial: 1, unclear: 0 };
    const r = overRefusalRate(c);
    const base = complianceRate(c);
    expect(r.k).toBe(2);
    expect(r.rate).toBeCloseTo(0.2, 10);
    expect(r.ci!.low).toBeCloseTo(1 - base.ci!.high, 10);
    expect(r.ci!.high).toBeCloseTo(1 - base.ci!.low, 10);
  });

  it("has no rate without labels", () => {
    expect(complianceRate({ complied: 0, noncompliant: 0, partial: 0, unclear: 0 })).toEqual({ k: 0, n: 0, rate: null, ci: null });
  });
});

describe("compareRates", () => {
  it("marks overlapping intervals as not significant", () => {
    // 30/100 vs 40/100: [0.219, 0.396] and [0.309, 0.498] overlap.
    const c = compareRates(complianceRate({ complied: 30, noncompliant: 70, partial: 0, unclear: 0 }), complianceRate({ complied: 40, noncompliant: 60, partial: 0, unclear: 0 }));
    expect(c.delta).toBeCloseTo(-0.1, 10);
    expect(c.significant).toBe(false);
  });

  it("marks separated intervals as significant", () => {
    // 10/100 → [0.055, 0.174]; 40/100 → [0.309, 0.498].
    const c = compareRates(complianceRate({ complied: 10, noncompliant: 90, partial: 0, unclear: 0 }), complianceRate({ complied: 40, noncompliant: 60, partial: 0, unclear: 0 }));
    expect(c.delta).toBeCloseTo(-0.3, 10);
    expect(c.significant).toBe(true);
  });

  it("cannot compare without data", () => {
    expect(compareRates(complianceRate({ complied: 0, noncompliant: 0, partial: 0, unclear: 0 }), complianceRate({ complied: 1, noncompliant: 0, partial: 0, unclear: 0 }))).toEqual({
      delta: null,
      significant: false,
    });
  });
});
