import { describe, expect, it } from "vitest";
import {
  apportion,
  copyField,
  copyLine,
  HUMAN_SHARE,
  JUDGES,
  judgeErrorReason,
  mulberry32,
  planCorpus,
  responseFate,
  TABLES,
  type Cell,
  type Corpus,
  type Verdict,
} from "./corpus";
import { loadCoconotShape } from "./seed";

const { strata, rubric } = loadCoconotShape();
const plan = (responses: number, seed = 1) => planCorpus({ seed, responses, strata, rubric });
const rowsOf = (c: Corpus, table: string, from = 0, to = c.responses): Cell[][] => [
  ...TABLES.find((t) => t.name === table)!.rows(c, from, to),
];

describe("mulberry32", () => {
  it("repeats its sequence for a seed and differs across seeds", () => {
    const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(Array.from({ length: 5 }, c)).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("COPY text escaping", () => {
  it("escapes backslash, tab, newline and carriage return, and writes NULL as \\N", () => {
    expect(copyField("a\tb\nc\\d\re")).toBe("a\\tb\\nc\\\\d\\re");
    expect(copyField("C:\\Users\\you")).toBe("C:\\\\Users\\\\you");
    expect(copyField("plain, \"quoted\" text")).toBe('plain, "quoted" text');
    expect(copyField(null)).toBe("\\N");
    expect(copyField("\\N")).toBe("\\\\N"); // the literal text \N must not turn into NULL
    expect(copyField(3)).toBe("3");
    expect(copyField(true)).toBe("true");
  });

  it("joins fields with tabs and ends the line with a newline", () => {
    expect(copyLine(["x", null, "two\nlines", 7])).toBe("x\t\\N\ttwo\\nlines\t7\n");
  });
});

describe("CoCoNot shape", () => {
  it("reads 18 original and 5 contrast strata with the released counts", () => {
    const sum = (e: string) => strata.filter((s) => s.expectation === e).reduce((a, s) => a + s.count, 0);
    expect(strata).toHaveLength(23);
    expect(sum("should_not_comply")).toBe(1001);
    expect(sum("should_comply")).toBe(379);
    expect(new Set(strata.map((s) => s.category)).size).toBe(5);
    const find = (sub: string, e: string, cat?: string) =>
      strata.find((s) => s.subcategory === sub && s.expectation === e && (!cat || s.category === cat))?.count;
    expect(find("underspecified", "should_not_comply")).toBe(94);
    expect(find("incomprehensible", "should_not_comply", "Requests with safety concerns")).toBe(1);
    expect(find("modality limitations", "should_comply")).toBe(82);
  });

  it("apportions exactly at the source size and proportionally (sum exact, every stratum kept) otherwise", () => {
    const counts = strata.map((s) => s.count);
    expect(apportion(counts, 1380)).toEqual(counts);
    expect(apportion(counts, 2760)).toEqual(counts.map((n) => 2 * n));
    const small = apportion(counts, 300);
    expect(small.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.min(...small)).toBe(1); // safety/incomprehensible (1 of 1380) would round to 0
    small.forEach((n, i) => expect(Math.abs(n - (counts[i] * 300) / 1380)).toBeLessThan(1.5));
  });
});

describe("planCorpus", () => {
  it("is deterministic for a seed and changes with it", () => {
    const a = plan(3000), b = plan(3000), c = plan(3000, 2);
    for (const t of TABLES) expect(rowsOf(b, t.name)).toEqual(rowsOf(a, t.name));
    expect(rowsOf(c, "Response").map((r) => r[3])).not.toEqual(rowsOf(a, "Response").map((r) => r[3]));
  });

  it("gives the same rows whether a table is generated whole or in slices (parallel COPY)", () => {
    const c = plan(5000);
    for (const t of ["Response", "JudgeLabel", "HumanLabel", "HumanLabelRevision", "Adjudication"]) {
      expect([...rowsOf(c, t, 0, 2500), ...rowsOf(c, t, 2500, 5000)]).toEqual(rowsOf(c, t));
    }
  });

  it("has 1380 prompts per run in CoCoNot's proportions, and ~725 runs for 1M responses", () => {
    const c = plan(1_000_000);
    expect(c.promptsPerRun).toBe(1380);
    expect(c.runCount).toBe(725);
    expect(c.prompts.filter((p) => p.expectation === "should_not_comply")).toHaveLength(1001);
    expect(c.small.Subcategory).toHaveLength(19); // incomprehensible twice, plus contrast's "modality limitations"
    expect(c.small.RubricVersion.find((r) => r[5] === "privacy violations")?.[3]).toMatch(/^The LLM assistant/);
  });

  it("draws plausible verdicts, judge coverage and human-label shares", () => {
    const c = plan(60_000);
    const truth = { should_not_comply: new Map<Verdict, number>(), should_comply: new Map<Verdict, number>() };
    let judged = [0, 0], judgeRight = [0, 0], humanLabelled = 0, adjudicated = 0;
    for (let i = 0; i < c.responses; i++) {
      const f = responseFate(c, i);
      const m = truth[c.prompts[f.prompt].expectation];
      m.set(f.truth, (m.get(f.truth) ?? 0) + 1);
      f.judges.forEach((v, j) => {
        if (v !== null) judged[j]++;
        if (v === f.truth) judgeRight[j]++;
      });
      if (f.humans.length > 0) humanLabelled++;
      if (f.adjudication) adjudicated++;
    }
    const share = (m: Map<Verdict, number>, v: Verdict) => (m.get(v) ?? 0) / [...m.values()].reduce((a, b) => a + b, 0);
    // Every full run answers every prompt, so the expectation split is CoCoNot's 1001 : 379.
    const snc = [...truth.should_not_comply.values()].reduce((a, b) => a + b, 0);
    expect(snc / c.responses).toBeCloseTo(1001 / 1380, 2);
    expect(share(truth.should_not_comply, "noncompliant")).toBeGreaterThan(0.65);
    expect(share(truth.should_not_comply, "complied")).toBeGreaterThan(0.05);
    expect(share(truth.should_not_comply, "complied")).toBeLessThan(0.3);
    expect(share(truth.should_comply, "complied")).toBeGreaterThan(0.7);
    for (const m of Object.values(truth)) {
      expect(share(m, "partial")).toBeGreaterThan(0.02);
      expect(share(m, "unclear")).toBeGreaterThan(0.01);
    }
    JUDGES.forEach((j, k) => {
      expect(judged[k] / c.responses).toBeCloseTo(j.coverage, 2);
      expect(judgeRight[k] / judged[k]).toBeCloseTo(j.accuracy, 1);
    });
    expect(humanLabelled / c.responses).toBeGreaterThan(HUMAN_SHARE - 0.004);
    expect(humanLabelled / c.responses).toBeLessThan(HUMAN_SHARE + 0.004);
    expect(adjudicated).toBeGreaterThan(0);
    expect(adjudicated / c.responses).toBeLessThan(0.01);
  });

  it("writes response texts of 50–600 characters, some with newlines, tabs and backslashes", () => {
    const texts = rowsOf(plan(5000), "Response").map((r) => r[3] as string);
    expect(Math.min(...texts.map((t) => t.length))).toBeGreaterThanOrEqual(50);
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(600);
    expect(texts.some((t) => t.includes("\n"))).toBe(true);
    expect(texts.some((t) => t.includes("\t"))).toBe(true);
    expect(texts.some((t) => t.includes("\\"))).toBe(true);
    expect(texts.some((t) => t.startsWith("I'm sorry"))).toBe(true);
  });

  it("keeps label rows consistent: one label per annotator, revisions ending in the current verdict", () => {
    const c = plan(20_000);
    const labels = rowsOf(c, "HumanLabel");
    const pairs = new Set(labels.map((r) => `${r[1]}/${r[2]}`));
    expect(pairs.size).toBe(labels.length);
    expect(labels.every((r) => c.annotatorIds.includes(r[2] as string))).toBe(true);
    const latest = new Map<Cell, Cell>();
    for (const r of rowsOf(c, "HumanLabelRevision")) latest.set(r[1], r[2]); // newest last
    expect(latest.size).toBe(labels.length);
    for (const r of labels) expect(latest.get(r[0])).toBe(r[3]);
    const ids = rowsOf(c, "JudgeLabel").map((r) => r[0]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("judgeErrorReason", () => {
  it("names what the judge got wrong about the response", () => {
    expect(judgeErrorReason("noncompliant", "noncompliant")).toBe("none");
    expect(judgeErrorReason("noncompliant", "complied")).toBe("missed_refusal");
    expect(judgeErrorReason("complied", "noncompliant")).toBe("false_refusal");
    expect(judgeErrorReason("partial", "complied")).toBe("partial_misread");
    expect(judgeErrorReason("unclear", "complied")).toBe("rubric_gap");
    expect(judgeErrorReason("complied", null)).toBe("other");
  });
});
