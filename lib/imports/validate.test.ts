import { describe, expect, it } from "vitest";
import { buildTaxonomyIndex } from "./normalize";
import type { ParseEvent } from "./parse";
import { importMappingSchema, type ImportMappingInput, type ImportPermissions } from "./schema";
import { Validator, type ImportContext } from "./validate";
import { compileValueMap, resolveVerdict } from "./values";

const ctx: ImportContext = {
  taxonomy: buildTaxonomyIndex([
    "Incomplete requests/underspecified",
    "Incomplete requests/incomprehensible",
    "Requests with safety concerns/incomprehensible",
    "Requests with safety concerns/misinformation",
    "Unsupported requests/output modality limitations",
  ]),
  users: [{ id: "u1", email: "ann@lab.org", name: "Ann" }],
  datasets: new Set(["existing"]),
  runs: new Set(["m1\u0000r1"]),
  judges: new Set(),
};
const allow: ImportPermissions = { createSubcategories: false, createAnnotators: true };

const base: ImportMappingInput = {
  dataset: { value: "mini" },
  prompt: {
    id: { column: "id" },
    text: { column: "prompt" },
    category: { column: "category" },
    subcategory: { column: "subcategory" },
    expectation: { column: "expectation", values: { contrast: "should_comply" } },
  },
  responses: [
    {
      text: { column: "response" },
      model: { value: "m1" },
      run: { value: "r1" },
      judges: [{ name: { value: "gpt4-judge" }, version: { value: "1" }, verdict: { column: "judge", values: { ACCEPTABLE: "acceptable", UNACCEPTABLE: "unacceptable", NEITHER: "unclear" } } }],
      humans: [
        { annotator: { value: "ann@lab.org" }, verdict: { column: "ann", values: { "1_full_compliance": "complied", "2_full_refusal": "noncompliant", "3_partial_refusal": "partial" } } },
        { annotator: { value: "Bob" }, verdict: { column: "bob", values: { yes: "noncompliant", no: "complied", "n/a": "skip" } }, note: { column: "bob_note" } },
      ],
    },
  ],
};

const row = (line: number, values: Record<string, string | null>): ParseEvent => ({
  kind: "record",
  line,
  row: line,
  values: { id: `p${line}`, prompt: `Prompt ${line}`, category: "Incomplete requests", subcategory: "underspecified", expectation: "should_not_comply", response: "No.", judge: "", ann: "", bob: "", bob_note: "", ...values },
});

function validate(rows: ParseEvent[], mapping: ImportMappingInput = base, opts: { permissions?: ImportPermissions; maxProblems?: number; header?: string[] } = {}) {
  const v = new Validator(importMappingSchema.parse(mapping), ctx, opts.permissions ?? allow, opts.maxProblems ?? 200);
  const out = [];
  if (opts.header) v.add({ kind: "columns", columns: opts.header, duplicates: [] });
  for (const r of rows) {
    const n = v.add(r);
    if (n) out.push(n);
  }
  return { rows: out, ...v.finish(123, "abc"), validator: v };
}

describe("value mapping", () => {
  it("understands the four verdicts and empty cells without a mapping, nothing else", () => {
    const m = compileValueMap({});
    expect(resolveVerdict(" Partial ", m, "should_not_comply")).toEqual({ kind: "verdict", verdict: "partial" });
    expect(resolveVerdict("", m, "should_not_comply")).toEqual({ kind: "none" });
    expect(resolveVerdict(null, m, "should_not_comply")).toEqual({ kind: "none" });
    expect(resolveVerdict("refusal", m, "should_not_comply")).toEqual({ kind: "unmapped", value: "refusal" });
  });

  it("turns ACCEPTABLE / UNACCEPTABLE into verdicts by the prompt's expectation", () => {
    const m = compileValueMap({ acceptable: "acceptable", Unacceptable: "unacceptable" });
    expect(resolveVerdict("ACCEPTABLE", m, "should_not_comply")).toEqual({ kind: "verdict", verdict: "noncompliant" });
    expect(resolveVerdict("ACCEPTABLE", m, "should_comply")).toEqual({ kind: "verdict", verdict: "complied" });
    expect(resolveVerdict("unacceptable", m, "should_not_comply")).toEqual({ kind: "verdict", verdict: "complied" });
    expect(resolveVerdict("unacceptable", m, "should_comply")).toEqual({ kind: "verdict", verdict: "noncompliant" });
  });
});

describe("validation", () => {
  it("normalises a good row: labels through value maps, polarity by expectation, people by reference", () => {
    const { rows, report } = validate([
      row(2, { judge: "ACCEPTABLE", ann: "3_partial_refusal", bob: "yes", bob_note: "close call" }),
      row(3, { expectation: "contrast", judge: "ACCEPTABLE", bob: "n/a" }),
    ]);
    expect(report.ok).toBe(true);
    expect(rows[0].responses[0]).toEqual({
      model: "m1",
      run: "r1",
      text: "No.",
      judges: [{ name: "gpt4-judge", version: "1", kind: "imported", verdict: "noncompliant", rationale: "" }],
      humans: [
        { annotator: "ann@lab.org", verdict: "partial", note: "" },
        { annotator: "Bob", verdict: "noncompliant", note: "close call" },
      ],
      adjudication: null,
    });
    expect(rows[1].expectation).toBe("should_comply");
    expect(rows[1].responses[0].judges[0].verdict).toBe("complied");
    expect(rows[1].responses[0].humans).toEqual([]);
    expect(report.people).toEqual([
      { ref: "Bob", email: "bob@imported.invalid", status: "create" },
      { ref: "ann@lab.org", email: "ann@lab.org", status: "existing" },
    ]);
    expect(report.runs).toEqual([{ model: "m1", run: "r1", exists: true }]);
    expect(report.datasets).toEqual([{ slug: "mini", exists: false }]);
    expect(report.judges).toEqual([{ name: "gpt4-judge", version: "1", exists: false }]);
    expect(report.values.bob).toEqual([
      { value: "yes", count: 1 },
      { value: "n/a", count: 1 },
    ]);
  });

  it("reports every missing field with its line and column, and what to do", () => {
    const { report } = validate([row(2, { id: "" }), row(3, { prompt: " " }), row(4, { expectation: "" }), row(5, { response: "", ann: "2_full_refusal" })]);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.code, p.line, p.field])).toEqual([
      ["missing_field", 2, "id"],
      ["missing_field", 3, "prompt"],
      ["missing_field", 4, "expectation"],
      ["missing_field", 5, "response"],
    ]);
    expect(report.problems[3].message).toBe("This row has labels but no response text");
    expect(report.problems.every((p) => p.fix.length > 10)).toBe(true);
  });

  it("reports an unmapped value once per column and value, with a suggestion", () => {
    const { report } = validate([row(2, { ann: "full refusal" }), row(3, { ann: "full refusal" }), row(4, { judge: "MAYBE" }), row(5, { expectation: "benign" })]);
    const p = report.problems.filter((x) => x.code === "unmapped_value");
    expect(p.map((x) => [x.field, x.line, x.count])).toEqual([
      ["ann", 2, 2],
      ["judge", 4, 1],
      ["expectation", 5, 1],
    ]);
    expect(p[0].message).toBe('Value "full refusal" in column "ann" has no verdict in the value mapping (2 rows)');
    expect(p[0].fix).toContain("suggested: noncompliant");
    expect(p[2].fix).toContain("suggested: should_comply");
  });

  it("never guesses a subcategory: unknown ones are reported once with near matches, mapped ones are used", () => {
    const rows = [row(2, { subcategory: "Underspecified" }), row(3, { subcategory: "Underspecified" }), row(4, { category: "Unknowns", subcategory: "misinformation" })];
    const { report } = validate(rows);
    expect(report.unknownSubcategories).toEqual([
      { key: "Incomplete requests/Underspecified", category: "Incomplete requests", subcategory: "Underspecified", rows: 2, firstLine: 2, suggestions: ["Incomplete requests/underspecified"] },
      { key: "Unknowns/misinformation", category: "Unknowns", subcategory: "misinformation", rows: 1, firstLine: 4, suggestions: ["Requests with safety concerns/misinformation"] },
    ]);
    expect(report.problems[0].fix).toContain('"Incomplete requests/underspecified"');

    const mapped = validate(rows, {
      ...base,
      subcategoryMap: { "Incomplete requests/Underspecified": "Incomplete requests/underspecified", "Unknowns/misinformation": "Requests with safety concerns/misinformation" },
    });
    expect(mapped.report.ok).toBe(true);
    expect(mapped.rows.map((r) => r.subcategory)).toEqual(["Incomplete requests/underspecified", "Incomplete requests/underspecified", "Requests with safety concerns/misinformation"]);
  });

  it("checks the mapping's own targets and who may add subcategories", () => {
    const m: ImportMappingInput = {
      ...base,
      subcategoryMap: { "x/y": "Nope/nothing" },
      createSubcategories: [{ category: "Unknowns", subcategory: "new one" }],
    };
    const denied = validate([row(2, { category: "Unknowns", subcategory: "new one" })], m);
    expect(denied.report.problems.map((p) => p.code)).toEqual(["mapping", "permission"]);
    const admin = validate([row(2, { category: "Unknowns", subcategory: "new one" })], { ...m, subcategoryMap: {} }, { permissions: { createSubcategories: true, createAnnotators: true } });
    expect(admin.report.ok).toBe(true);
    expect(admin.rows[0].subcategory).toBe("Unknowns/new one");
  });

  it("resolves a subcategory without a category only when its slug is unique", () => {
    const m: ImportMappingInput = { ...base, prompt: { ...base.prompt, category: undefined } };
    const { rows, report } = validate([row(2, { subcategory: "underspecified" }), row(3, { subcategory: "incomprehensible" })], m);
    expect(rows.map((r) => r.subcategory)).toEqual(["Incomplete requests/underspecified"]);
    expect(report.problems[0].message).toMatch(/exists under several categories/);
  });

  it("reports unknown annotators instead of creating them when not allowed", () => {
    const { report } = validate([row(2, { bob: "yes" })], base, { permissions: { createSubcategories: false, createAnnotators: false } });
    expect(report.problems.map((p) => [p.code, p.message])).toEqual([["unknown_user", 'There is no user "Bob"']]);
  });

  it("checks mapped columns against a CSV header", () => {
    const { report } = validate([], base, { header: ["id", "prompt", "category", "subcategory", "expectation", "response", "judge", "ann"] });
    expect(report.problems.map((p) => [p.code, p.field])).toEqual([
      ["header", "responses.0.humans.1.verdict"],
      ["header", "responses.0.humans.1.note"],
    ]);
    expect(report.problems[0].message).toBe('The mapping reads column "bob" (responses.0.humans.1.verdict), which the file does not have');
  });

  it("caps the listed problems but counts them all", () => {
    const { report } = validate(
      Array.from({ length: 500 }, (_, i) => row(i + 2, { id: "" })),
      base,
      { maxProblems: 200 },
    );
    expect(report.problems).toHaveLength(200);
    expect(report.problemCount).toBe(500);
  });

  it("rejects a judge-error reason that does not exist", () => {
    const m: ImportMappingInput = {
      ...base,
      responses: [{ ...base.responses![0], adjudication: { adjudicator: { value: "ann@lab.org" }, verdict: { column: "adj" }, reason: { column: "reason" } } }],
    };
    const { report, rows } = validate([row(2, { adj: "complied", reason: "missed_refusal" }), row(3, { adj: "complied", reason: "judge was sleepy" })], m);
    expect(rows[0].responses[0].adjudication).toEqual({ adjudicator: "ann@lab.org", verdict: "complied", reason: "missed_refusal", note: "" });
    expect(report.problems.map((p) => [p.code, p.line, p.field])).toEqual([["bad_value", 3, "reason"]]);
  });

  it("derives stable prompt ids from the text when the file has none", () => {
    const m: ImportMappingInput = { ...base, prompt: { ...base.prompt, id: { derive: "text-hash" } } };
    const { rows } = validate([row(2, { prompt: "Same text" }), row(3, { prompt: "Same text" }), row(4, { prompt: "Other" })], m);
    expect(rows[0].externalId).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(rows[1].externalId).toBe(rows[0].externalId);
    expect(rows[2].externalId).not.toBe(rows[0].externalId);
  });

  it("undoes formula neutralisation only when the mapping says so", () => {
    const on = validate([row(2, { prompt: "'=SUM(A1)", response: "''quoted" })], { ...base, unescapeFormulas: true });
    expect(on.rows[0].text).toBe("=SUM(A1)");
    expect(on.rows[0].responses[0].text).toBe("'quoted");
    const off = validate([row(2, { prompt: "'tis the season" })]);
    expect(off.rows[0].text).toBe("'tis the season");
  });
});
