import { describe, expect, it } from "vitest";
import { ParseProblems, coconotRecordSchema, parseJsonl, responseText } from "./coconot";

describe("parseJsonl", () => {
  it("reads records with their line numbers, skipping blank lines, BOM and CRLF", () => {
    const text =
      '\uFEFF{"id":"a1","category":"Incomplete requests","subcategory":"underspecified","prompt":"Who won?","response":""}\r\n' +
      "\r\n" +
      '{"id":"a2","category":"Incomplete requests","subcategory":"underspecified","prompt":"When?","response":null}\n';
    const rows = parseJsonl("t.jsonl", text, coconotRecordSchema);
    expect(rows.map((r) => [r.line, r.record.id])).toEqual([
      [1, "a1"],
      [3, "a2"],
    ]);
  });

  it("reports every problem with line and field, and returns nothing", () => {
    const text = [
      '{"id":"a1","category":"C","subcategory":"s","prompt":"p"}',
      "{not json",
      '{"id":"","category":"C","subcategory":"s","prompt":"p"}',
      '{"id":"a4","category":"C","subcategory":"s"}',
    ].join("\n");
    try {
      parseJsonl("bad.jsonl", text, coconotRecordSchema);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ParseProblems);
      const p = (err as ParseProblems).problems;
      expect(p.map((x) => [x.line, x.field])).toEqual([
        [2, undefined],
        [3, "id"],
        [4, "prompt"],
      ]);
      expect((err as Error).message).toContain("bad.jsonl: 3 problem(s); nothing was written");
      expect((err as Error).message).toContain('line 3, field "id": must not be empty');
    }
  });
});

describe("responseText", () => {
  it("treats null, empty and white space as no response", () => {
    expect(responseText(null)).toBeNull();
    expect(responseText(undefined)).toBeNull();
    expect(responseText("  \n")).toBeNull();
    expect(responseText(" ok ")).toBe(" ok ");
  });
});
