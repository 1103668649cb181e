// Property-based fuzzing of the queue and adjudication inputs (what the API routes parse from a JSON body):
// any JSON is either accepted or refused through safeParse, never thrown, and a refusal names the field that is
// wrong. Fixed seeds keep CI deterministic.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { zodMessage } from "../http";
import { adjudicateSchema, claimSchema, createQueueSchema, selectionSchema, skipSchema, submitSchema } from "./schema";

/** Each schema with a valid input to corrupt one field of. */
const CASES: { name: string; schema: z.ZodType; valid: Record<string, unknown>; fields: string[] }[] = [
  {
    name: "createQueueSchema",
    schema: createQueueSchema,
    valid: { name: "Check judge", k: 2, selection: { kind: "stratified", perCell: 3 } },
    fields: Object.keys(createQueueSchema.shape),
  },
  { name: "selectionSchema (browse)", schema: selectionSchema, valid: { kind: "browse", filter: { run: "r1" } }, fields: ["kind", "filter"] },
  {
    name: "selectionSchema (stratified)",
    schema: selectionSchema,
    valid: { kind: "stratified", perCell: 5, seed: 7, runIds: ["r1"] },
    fields: ["kind", "perCell", "seed", "runIds", "datasetId"],
  },
  { name: "selectionSchema (judge_unclear)", schema: selectionSchema, valid: { kind: "judge_unclear", judgeId: "j1" }, fields: ["kind", "judgeId", "runIds", "datasetId"] },
  {
    name: "selectionSchema (disagreements)",
    schema: selectionSchema,
    valid: { kind: "disagreements", judgeId: "j1", datasetId: "d1" },
    fields: ["kind", "judgeId", "runIds", "datasetId"],
  },
  { name: "claimSchema", schema: claimSchema, valid: { count: 2 }, fields: Object.keys(claimSchema.shape) },
  { name: "submitSchema", schema: submitSchema, valid: { itemId: "i1", verdict: "complied", note: "ok", durationMs: 1200 }, fields: Object.keys(submitSchema.shape) },
  { name: "skipSchema", schema: skipSchema, valid: { itemId: "i1" }, fields: Object.keys(skipSchema.shape) },
  {
    name: "adjudicateSchema",
    schema: adjudicateSchema,
    valid: { responseId: "r1", verdict: "partial", reason: "rubric_gap", note: "", expectedVersion: null },
    fields: Object.keys(adjudicateSchema.shape),
  },
];

/** Junk a client might send in place of a field. */
const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom("", " ", "x' OR 1=1 --", "a".repeat(5000), -1, 0, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER + 2, "complied", [], {}, null, true),
);
/** A field name: one the schema has, one an object inherits, or anything. */
const fieldOf = (fields: string[]) => fc.oneof(fc.constantFrom(...fields, "kind", "count", "note"), fc.constantFrom("constructor", "toString", "__proto__"), fc.string({ minLength: 1, maxLength: 8 }));

function withField(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const o = { ...base };
  // Own property, as JSON.parse makes it, even for "__proto__".
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

describe("queue and adjudication inputs (property)", () => {
  for (const c of CASES) {
    it(`${c.name}: the valid example parses`, () => {
      expect(c.schema.safeParse(c.valid).success).toBe(true);
    });
  }

  it("never throw on arbitrary values, and every refusal has a message", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASES), fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true }), (c, input) => {
        const r = c.schema.safeParse(input);
        if (!r.success) {
          expect(r.error.issues.length).toBeGreaterThan(0);
          for (const i of r.error.issues) expect(i.message.trim()).not.toBe("");
        }
      }),
      { seed: 20261127, numRuns: 1500 },
    );
  });

  it("name the field when one field of a valid input is wrong or unknown", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CASES).chain((c) => fc.tuple(fc.constant(c), fieldOf(c.fields), junk)),
        ([c, key, value]) => {
          const input = withField(c.valid, key, value);
          const r = c.schema.safeParse(input);
          // The schemas are strict: a field they do not have is always refused.
          if (!c.fields.includes(key)) expect(r.success).toBe(false);
          if (r.success) return;
          // The message names the field (zodMessage is what the routes send back).
          expect(zodMessage(r.error)).toContain(key);
        },
      ),
      { seed: 4242, numRuns: 2000 },
    );
  });
});
