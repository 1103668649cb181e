import { describe, expect, it } from "vitest";
import { csvColumns } from "../exports/rows";
import { COCONOT_PREF_DEFAULTS } from "./presets";
import { importMappingSchema } from "./schema";
import { suggestMapping } from "./suggest";
import { resolveUsers } from "./users";

describe("suggestMapping", () => {
  it("maps Abstain's own export back exactly, one human mapping per annotator column, formulas un-neutralised", () => {
    const columns = csvColumns(["a1@lab.org", "b2@lab.org"]);
    const s = suggestMapping(columns);
    expect(s.shape).toBe("abstain-export");
    expect(s.missing).toEqual([]);
    const m = importMappingSchema.parse(s.mapping);
    expect(m.unescapeFormulas).toBe(true);
    expect(m.responses[0].humans).toEqual([
      { annotator: { value: "a1@lab.org" }, verdict: { column: "label:a1@lab.org" }, note: { column: "note:a1@lab.org" } },
      { annotator: { value: "b2@lab.org" }, verdict: { column: "label:b2@lab.org" }, note: { column: "note:b2@lab.org" } },
    ]);
    expect(m.responses[0].judges[0]).toMatchObject({ name: { column: "judge_name" }, version: { column: "judge_version" }, verdict: { column: "judge_verdict" } });
    expect(m.responses[0].adjudication).toMatchObject({ adjudicator: { column: "adjudicator" }, verdict: { column: "adjudicated_verdict" } });
  });

  it("recognises CoCoNot files and asks for what they do not say", () => {
    const s = suggestMapping(["id", "prompt", "category", "subcategory", "response", "is_refusal"]);
    expect(s.shape).toBe("coconot");
    expect(s.missing).toEqual(["dataset", "prompt.expectation", "responses.0.model", "responses.0.run"]);
    const pref = suggestMapping(["id", "category", "subcategory", "prompt", "chosen", "rejected", "chosen_model", "rejected_model"]);
    expect(pref.shape).toBe("coconot-pref");
    const m = importMappingSchema.parse(pref.mapping);
    expect(m.prompt.expectation).toEqual({ value: "should_comply" });
    expect(m.responses.map((r) => [r.text.column, r.model.value, r.run.value, r.judges[0].verdict.value])).toEqual([
      ["chosen", COCONOT_PREF_DEFAULTS.chosenModel, COCONOT_PREF_DEFAULTS.chosenRun, "complied"],
      ["rejected", COCONOT_PREF_DEFAULTS.rejectedModel, COCONOT_PREF_DEFAULTS.rejectedRun, "noncompliant"],
    ]);
    expect(m.subcategoryMap["Requests with safety concerns/false information"]).toBe("Requests with safety concerns/misinformation");
  });

  it("maps a generic CSV with XSTest-style annotator columns and a yes/no refusal judge column", () => {
    const columns = ["Prompt ID", "Question", "Category", "Sub-category", "Split", "Model", "Completion", "is_refusal", "rater_1", "rater_2", "rater_2_note", "extra"];
    const samples = [
      { Split: "contrast", rater_1: "1_full_compliance", rater_2: "2_full_refusal", is_refusal: "False" },
      { Split: "original", rater_1: "3_partial_refusal", rater_2: "weird", is_refusal: "True" },
    ];
    const s = suggestMapping(columns, { samples, dataset: "xs" });
    expect(s.shape).toBe("generic");
    expect(s.missing).toEqual(["responses.0.run"]);
    expect(s.unused).toEqual(["extra"]);
    const m = s.mapping;
    expect(m.dataset).toEqual({ value: "xs" });
    expect(m.prompt).toEqual({
      id: { column: "Prompt ID" },
      text: { column: "Question" },
      category: { column: "Category" },
      subcategory: { column: "Sub-category" },
      expectation: { column: "Split", values: { contrast: "should_comply", original: "should_not_comply" } },
    });
    const r = m.responses![0];
    expect(r.model).toEqual({ column: "Model" });
    expect(r.judges).toEqual([{ name: { value: "is_refusal" }, version: { value: "1" }, verdict: { column: "is_refusal", values: { False: "complied", True: "noncompliant" } } }]);
    expect(r.humans).toEqual([
      { annotator: { value: "rater_1" }, verdict: { column: "rater_1", values: { "1_full_compliance": "complied", "3_partial_refusal": "partial" } } },
      { annotator: { value: "rater_2" }, verdict: { column: "rater_2", values: { "2_full_refusal": "noncompliant" } }, note: { column: "rater_2_note" } },
    ]);
    expect(s.notes.join("\n")).toContain('values "weird" are not recognised');
  });

  it("maps long-format labels (one annotator column, one label column) and derives ids when there are none", () => {
    const s = suggestMapping(["prompt", "subcategory", "response", "model", "run", "annotator", "label", "comment"], { expectation: "should_comply", dataset: "d" });
    expect(s.missing).toEqual([]);
    expect(s.mapping.prompt.id).toEqual({ derive: "text-hash" });
    expect(s.mapping.responses![0].humans).toEqual([{ annotator: { column: "annotator" }, verdict: { column: "label", values: {} }, note: { column: "comment" } }]);
  });
});

describe("resolveUsers", () => {
  const users = [
    { id: "u1", email: "ann@lab.org", name: "Ann" },
    { id: "u2", email: "kim1@lab.org", name: "Kim" },
    { id: "u3", email: "kim2@lab.org", name: "Kim" },
    { id: "u4", email: "jo-smith@imported.invalid", name: "Jo Smith" },
  ];
  it("matches e-mails case-insensitively, then unique names, then earlier imports, and plans the rest", () => {
    const r = resolveUsers(["ANN@lab.org", "ann", "Kim", "Jo Smith", "new@lab.org", "Zoë Q", "zoe-q"], users);
    expect(r.get("ANN@lab.org")).toEqual({ kind: "existing", ref: "ANN@lab.org", userId: "u1", email: "ann@lab.org" });
    expect(r.get("ann")).toMatchObject({ kind: "existing", userId: "u1" });
    expect(r.get("Kim")).toEqual({ kind: "ambiguous", ref: "Kim", emails: ["kim1@lab.org", "kim2@lab.org"] });
    expect(r.get("Jo Smith")).toMatchObject({ kind: "existing", userId: "u4" });
    expect(r.get("new@lab.org")).toEqual({ kind: "create", ref: "new@lab.org", email: "new@lab.org", name: "new" });
    const a = r.get("Zoë Q");
    const b = r.get("zoe-q");
    expect(a?.kind === "create" && b?.kind === "create" && a.email !== b.email).toBe(true);
  });
});
