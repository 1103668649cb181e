// Text limits per field of an import (lib/limits/text.ts): a value over its field's limit is a located problem
// (row, column, its length and the limit) found in validation, before anything is written; a value at the limit
// passes; the CoCoNot data is far inside every limit.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TEXT_LIMITS } from "../limits/text";
import { buildTaxonomyIndex } from "./normalize";
import type { ParseEvent } from "./parse";
import { importMappingSchema, type ImportMappingInput } from "./schema";
import { Validator, type ImportContext } from "./validate";

const ctx: ImportContext = {
  taxonomy: buildTaxonomyIndex(["Incomplete requests/underspecified"]),
  users: [],
  datasets: new Set(),
  runs: new Set(),
  judges: new Set(),
};

/** Every text field read from its own column. */
const mapping: ImportMappingInput = {
  dataset: { column: "dataset" },
  prompt: { id: { column: "id" }, text: { column: "prompt" }, category: { column: "category" }, subcategory: { column: "subcategory" }, expectation: { value: "should_not_comply" } },
  responses: [
    {
      text: { column: "response" },
      model: { column: "model" },
      run: { column: "run" },
      judges: [{ name: { column: "judge" }, version: { column: "judge_version" }, verdict: { column: "judge_verdict" }, rationale: { column: "rationale" } }],
      humans: [{ annotator: { column: "annotator" }, verdict: { column: "human_verdict" }, note: { column: "note" } }],
      adjudication: { adjudicator: { column: "adjudicator" }, verdict: { column: "final" }, note: { column: "adj_note" } },
    },
  ],
};

const good: Record<string, string> = {
  dataset: "d",
  id: "p1",
  prompt: "Tell me.",
  category: "Incomplete requests",
  subcategory: "underspecified",
  response: "No.",
  model: "m",
  run: "r",
  judge: "j",
  judge_version: "1",
  judge_verdict: "noncompliant",
  rationale: "refuses",
  annotator: "ann@lab.org",
  human_verdict: "noncompliant",
  note: "",
  adjudicator: "adj@lab.org",
  final: "noncompliant",
  adj_note: "",
};

function validate(values: Record<string, string>, m: ImportMappingInput = mapping) {
  const v = new Validator(importMappingSchema.parse(m), ctx, { createSubcategories: false, createAnnotators: true }, 200);
  const ev: ParseEvent = { kind: "record", line: 13, row: 12, values: { ...good, ...values } };
  const ok = v.add(ev) !== null;
  return { ok, report: v.finish(0, "").report };
}

const FIELDS: { column: string; what: string; max: number; fill?: (n: number) => string }[] = [
  { column: "dataset", what: "The dataset", max: TEXT_LIMITS.name },
  { column: "id", what: "The prompt id", max: TEXT_LIMITS.name },
  { column: "prompt", what: "The prompt text", max: TEXT_LIMITS.prompt },
  { column: "category", what: "The category", max: TEXT_LIMITS.name },
  { column: "subcategory", what: "The subcategory", max: TEXT_LIMITS.name },
  { column: "response", what: "The response text", max: TEXT_LIMITS.response },
  { column: "model", what: "The model", max: TEXT_LIMITS.name },
  { column: "run", what: "The run", max: TEXT_LIMITS.name },
  { column: "judge", what: "The judge name", max: TEXT_LIMITS.name },
  { column: "judge_version", what: "The judge version", max: TEXT_LIMITS.name },
  { column: "rationale", what: "The rationale", max: TEXT_LIMITS.rationale },
  { column: "annotator", what: "The annotator", max: TEXT_LIMITS.person, fill: (n) => `${"a".repeat(n - 8)}@lab.org` },
  { column: "note", what: "The note", max: TEXT_LIMITS.note },
  { column: "adjudicator", what: "The adjudicator", max: TEXT_LIMITS.person, fill: (n) => `${"b".repeat(n - 8)}@lab.org` },
  { column: "adj_note", what: "The adjudication note", max: TEXT_LIMITS.note },
];

describe("import text limits", () => {
  it("the example row is valid", () => {
    expect(validate({}).report.problems).toEqual([]);
  });

  for (const f of FIELDS) {
    const fill = f.fill ?? ((n: number) => "x".repeat(n));
    it(`${f.column}: at most ${f.max.toLocaleString("en")} characters, and over it a problem naming row, column, length and limit`, () => {
      expect(validate({ [f.column]: fill(f.max) }).report.problems.filter((p) => p.code === "too_long")).toEqual([]);
      const { ok, report } = validate({ [f.column]: fill(f.max + 4) });
      expect(ok).toBe(false);
      expect(report.ok).toBe(false);
      expect(report.problems.filter((p) => p.code === "too_long")).toEqual([
        {
          code: "too_long",
          line: 13,
          row: 12,
          field: f.column,
          message: `${f.what} is too long: ${(f.max + 4).toLocaleString("en")} characters; at most ${f.max.toLocaleString("en")}`,
          fix: "Shorten it, or leave this row out of the file.",
        },
      ]);
    });
  }

  it("a fixed value of the mapping over its limit is reported once for the file, at its mapping path", () => {
    const m = structuredClone(mapping);
    m.responses![0].model = { value: "m".repeat(201) };
    const v = new Validator(importMappingSchema.parse(m), ctx, { createSubcategories: false, createAnnotators: true }, 200);
    for (let i = 0; i < 5; i++) v.add({ kind: "record", line: i + 2, row: i + 2, values: { ...good, id: `p${i}` } });
    const { report } = v.finish(0, "");
    expect(report.problems).toEqual([
      { code: "too_long", field: "responses.0.model", message: "The model is too long: 201 characters; at most 200", fix: "Shorten it, or leave this row out of the file." },
    ]);
    expect(report.ok).toBe(false);
  });

  it("a fixed value longer than any field allows is refused with the mapping", () => {
    const r = importMappingSchema.safeParse({ ...mapping, dataset: { value: "d".repeat(TEXT_LIMITS.rationale + 1) } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ["dataset", "value"], message: "20,001 characters; at most 20,000" });
  });

  it("every CoCoNot prompt, response and name is far inside the limits", () => {
    const dir = path.join(process.cwd(), "prisma", "data", "coconot");
    const longest: Record<string, number> = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
      for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
        if (!line.trim()) continue;
        for (const [k, v] of Object.entries(JSON.parse(line) as Record<string, unknown>)) {
          if (typeof v === "string") longest[k] = Math.max(longest[k] ?? 0, v.length);
        }
      }
    }
    // Measured on the shipped files: prompt 990, response 2,864, preference chosen 2,892 / rejected 2,562.
    expect(longest.prompt).toBeLessThan(TEXT_LIMITS.prompt / 10);
    for (const k of ["response", "chosen", "rejected"]) expect(longest[k]).toBeLessThan(TEXT_LIMITS.response / 10);
    for (const k of ["id", "category", "subcategory"]) expect(longest[k]).toBeLessThan(TEXT_LIMITS.name);
  });
});
