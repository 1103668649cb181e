// Property-based fuzzing of the export options (what the download route, the Browse button and scripts/export.ts
// parse): any value is accepted or refused with a bad_request AppError, never another throw, and a refusal names
// the field that is wrong. Fixed seeds keep CI deterministic.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { zodMessage } from "../http";
import { exportFilterSchema, exportOptionsSchema, type ExportOptionsInput } from "./schema";
import { parseExportOptions } from "./stream";

const VALID_FILTER = { datasets: ["coconot"], runs: ["r1"], text: "bomb", finalVerdict: "partial", labelled: true, source: "best" };
const VALID_OPTIONS = { format: "csv", filter: VALID_FILTER, judge: { name: "gpt4-judge", version: "1" }, limit: 10, bom: false };
const FILTER_FIELDS = Object.keys(exportFilterSchema.shape);
const OPTION_FIELDS = Object.keys(exportOptionsSchema.shape);

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom("", " ", "x' OR 1=1 --", "a".repeat(300), -1, 0, 1.5, "csv", "complied", [""], [" "], Array.from({ length: 501 }, () => "d"), [], {}, null, true),
);
const fieldOf = (fields: string[]) => fc.oneof(fc.constantFrom(...fields), fc.constantFrom("constructor", "toString", "__proto__"), fc.string({ minLength: 1, maxLength: 8 }));

function withField(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const o = { ...base };
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

/** parseExportOptions' outcome: the options, or the message of the bad_request it threw (anything else rethrows). */
function parse(input: unknown): { ok: true } | { ok: false; message: string } {
  try {
    parseExportOptions(input as ExportOptionsInput);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe("bad_request");
    return { ok: false, message: err.message };
  }
}

describe("export options (property)", () => {
  it("the valid example parses", () => {
    expect(parse(VALID_OPTIONS)).toEqual({ ok: true });
  });

  it("never throw anything but a bad_request on arbitrary values", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true }), (input) => {
        const r = parse(input);
        if (!r.ok) expect(r.message).toMatch(/^Invalid export options: \S/);
        const f = exportFilterSchema.safeParse(input);
        if (!f.success) for (const i of f.error.issues) expect(i.message.trim()).not.toBe("");
      }),
      { seed: 20261127, numRuns: 1500 },
    );
  });

  it("name the option when one option is wrong or unknown", () => {
    fc.assert(
      fc.property(fieldOf(OPTION_FIELDS), junk, (key, value) => {
        const r = parse(withField(VALID_OPTIONS, key, value));
        if (!OPTION_FIELDS.includes(key)) expect(r.ok).toBe(false);
        if (!r.ok) expect(r.message).toContain(key);
      }),
      { seed: 4242, numRuns: 1000 },
    );
  });

  it("name the filter field, under filter., when one filter field is wrong or unknown", () => {
    fc.assert(
      fc.property(fieldOf(FILTER_FIELDS), junk, (key, value) => {
        const filter = withField(VALID_FILTER, key, value);
        const direct = exportFilterSchema.safeParse(filter);
        if (!FILTER_FIELDS.includes(key)) expect(direct.success).toBe(false);
        if (!direct.success) expect(zodMessage(direct.error)).toContain(key);
        const r = parse({ ...VALID_OPTIONS, filter });
        expect(r.ok).toBe(direct.success);
        if (!r.ok) {
          expect(r.message).toContain("filter");
          expect(r.message).toContain(key);
        }
      }),
      { seed: 99, numRuns: 1000 },
    );
  });
});
