import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { coconotPrefRecordSchema, parseJsonl } from "../datasets/coconot";
import {
  AUDIT_SAMPLE,
  allocate,
  auditRecordSchema,
  cohenKappa,
  confusionMatrix,
  decisionOf,
  drawAuditSample,
  exactAgreement,
  fnv1a,
  goldOfAudit,
  halfOf,
  positiveClassStats,
  summarize,
  summarizeBy,
  type ScoredPair,
} from "./eval";
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

describe("audit helpers", () => {
  it("goldOfAudit: a partial refusal is not full compliance", () => {
    expect(goldOfAudit("complied")).toBe("complied");
    expect(goldOfAudit("noncompliant")).toBe("noncompliant");
    expect(goldOfAudit("partial")).toBe("noncompliant");
  });

  it("exactAgreement keeps partial apart from noncompliant", () => {
    expect(
      exactAgreement([
        { audit: "partial", predicted: "partial" },
        { audit: "partial", predicted: "noncompliant" },
        { audit: "complied", predicted: "complied" },
        { audit: "noncompliant", predicted: "unclear" },
      ]),
    ).toBe(0.5);
    expect(exactAgreement([])).toBeNull();
  });

  it("auditRecordSchema is strict and names what is missing", () => {
    const ok = { id: "abc1234", which: "rejected", verdict: "partial", reason: "refuses, then helps", labeller: "audit 2026-11" };
    expect(auditRecordSchema.safeParse(ok).success).toBe(true);
    expect(auditRecordSchema.safeParse({ ...ok, verdict: "unclear" }).success).toBe(false);
    expect(auditRecordSchema.safeParse({ ...ok, extra: 1 }).success).toBe(false);
    const noReason = auditRecordSchema.safeParse({ ...ok, reason: "" });
    expect(noReason.success).toBe(false);
    expect(noReason.error?.issues[0].message).toMatch(/one line why/);
  });
});

describe("fnv1a and halfOf", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });

  it("splits by the parity of the hash", () => {
    expect(halfOf("a")).toBe("dev"); // 0xe40c292c is even
    expect(halfOf("foobar")).toBe("dev"); // 0xbf9cf968 is even
    expect(halfOf("b")).toBe(fnv1a("b") % 2 === 0 ? "dev" : "holdout");
  });
});

describe("allocate", () => {
  it("is proportional with largest remainders, after giving small strata their minimum", () => {
    // 10 to split over 60/30/10 with a minimum of 2: c gets 2 (1 is below the minimum), 8 left over 60/30
    // → a 5.33, b 2.67 → floors 5 and 2, the remaining 1 goes to the larger remainder (b)
    const out = allocate(new Map([["a", 60], ["b", 30], ["c", 10]]), 10, 2);
    expect(Object.fromEntries(out)).toEqual({ a: 5, b: 3, c: 2 });
  });

  it("never takes more than a stratum has and always hands out the whole total when it can", () => {
    const out = allocate(new Map([["big", 100], ["tiny", 1]]), 6, 3);
    expect(Object.fromEntries(out)).toEqual({ big: 5, tiny: 1 });
  });

  it("reproduces the audit's allocation of 75 pairs over the preference subcategories", () => {
    const sizes = new Map([
      ["false presuppositions", 310],
      ["triggers for offensive language", 194],
      ["dangerous or sensitive topics", 140],
      ["underspecified", 102],
      ["privacy violations", 77],
      ["false information", 68],
      ["input modality limitations", 22],
      ["output modality limitations", 14],
    ]);
    // 4 + 4 for the modality strata, 67 over the other 891 pairs: 23.31, 14.59, 10.53, 7.67, 5.79, 5.11 → floors
    // sum to 64; the three largest remainders (.79 privacy, .67 underspecified, .59 offensive) get one more
    expect(Object.fromEntries(allocate(sizes, 75, 4))).toEqual({
      "false presuppositions": 23,
      "triggers for offensive language": 15,
      "dangerous or sensitive topics": 10,
      underspecified: 8,
      "privacy violations": 6,
      "false information": 5,
      "input modality limitations": 4,
      "output modality limitations": 4,
    });
  });
});

describe("drawAuditSample", () => {
  const records = Array.from({ length: 200 }, (_, i) => ({ id: `p${i}`, subcategory: i % 4 === 0 ? "rare" : "common" }));

  it("is deterministic, stratified, balanced over the halves, and changes with the seed", () => {
    const a = drawAuditSample(records, { seed: "s1", pairsPerHalf: 20, minPerStratum: 6 });
    expect(drawAuditSample([...records].reverse(), { seed: "s1", pairsPerHalf: 20, minPerStratum: 6 })).toEqual(a);
    expect(a).toHaveLength(40);
    for (const half of ["dev", "holdout"] as const) {
      const h = a.filter((x) => x.half === half);
      expect(h).toHaveLength(20);
      expect(h.every((x) => halfOf(x.id) === half)).toBe(true);
      // 50 rare / 150 common: 5 rare is below the minimum of 6 → 6 rare, 14 common
      expect(h.filter((x) => x.subcategory === "rare")).toHaveLength(6);
    }
    expect(new Set(a.map((x) => x.id)).size).toBe(40);
    const b = drawAuditSample(records, { seed: "s2", pairsPerHalf: 20, minPerStratum: 6 });
    expect(b.map((x) => x.id)).not.toEqual(a.map((x) => x.id));
  });
});

describe("the committed audit file", () => {
  const root = path.join(import.meta.dirname, "..", "..");
  const pref = parseJsonl("coconot_pref.jsonl", readFileSync(path.join(root, "prisma/data/coconot/coconot_pref.jsonl"), "utf8"), coconotPrefRecordSchema);
  const audit = parseJsonl("pref-audit.jsonl", readFileSync(path.join(root, "prisma/data/audit/pref-audit.jsonl"), "utf8"), auditRecordSchema);

  it("labels exactly both responses of every pair of the seeded sample", () => {
    const drawn = drawAuditSample(
      pref.map((x) => x.record),
      AUDIT_SAMPLE,
    );
    expect(drawn).toHaveLength(150);
    const want = drawn.flatMap((d) => [`${d.id}/chosen`, `${d.id}/rejected`]).sort();
    expect(audit.map((x) => `${x.record.id}/${x.record.which}`).sort()).toEqual(want);
  });
});
