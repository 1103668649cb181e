import { describe, expect, it } from "vitest";
import { selectionOfBrowse, selectionSql, textPattern } from "./where";

describe("selectionSql", () => {
  it("never puts a value into the SQL text, and numbers placeholders from firstParam", () => {
    const hostile = "x'); DROP TABLE \"Response\"; --";
    const s = selectionSql(selectionOfBrowse({ q: hostile, category: hostile, run: "r1", judge: "j", judgeVerdict: "partial" }), { firstParam: 3 });
    expect(s.where + s.joins).not.toContain("DROP");
    expect(JSON.stringify(s.params)).toContain("DROP TABLE");
    expect(s.nextParam).toBe(3 + s.params.length);
    const used = [...(s.where + s.joins).matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.min(...used)).toBe(3);
    expect(Math.max(...used)).toBe(s.nextParam - 1);
  });

  it("joins only what the conditions use", () => {
    expect(selectionSql(selectionOfBrowse({}))).toEqual({ joins: "", where: "TRUE", params: [], nextParam: 1 });
    expect(selectionSql(selectionOfBrowse({ run: "r1" })).joins).toBe("");
    expect(selectionSql(selectionOfBrowse({ expectation: "should_comply" })).joins).toMatch(/^JOIN "Prompt" p/);
    const disagree = selectionSql(selectionOfBrowse({ judge: "j", disagree: "1" })).joins;
    expect(disagree).toContain(`"JudgeLabel" jl`);
    expect(disagree).toContain(`"ResponseHumanFinal" f`);
    // Adjudicated-only verdicts need no judge label; judge-only verdicts no human final.
    expect(selectionSql(selectionOfBrowse({ source: "adjudicated", labelled: "1" })).joins).not.toContain("JudgeLabel");
    expect(selectionSql(selectionOfBrowse({ source: "judge", judge: "j", finalVerdict: "unclear" })).joins).not.toContain("ResponseHumanFinal");
  });

  it("writes the text search either way, or leaves it out", () => {
    const sel = selectionOfBrowse({ q: "bomb", run: "r1" });
    expect(selectionSql(sel, { text: "scan" }).where).toContain(`strpos(lower(r.text), lower($2)) > 0`);
    expect(selectionSql(sel, { text: "scan" }).params).toEqual([["r1"], "bomb"]);
    expect(selectionSql(sel, { text: "index" }).where).toContain(`r.id IN (SELECT t.id FROM "Response" t WHERE t.text ILIKE $2`);
    expect(selectionSql(sel, { omitText: true }).params).toEqual([["r1"]]);
  });

  it("escapes LIKE's own characters in the search text", () => {
    expect(textPattern("50%_off\\")).toBe("%50\\%\\_off\\\\%");
  });
});
