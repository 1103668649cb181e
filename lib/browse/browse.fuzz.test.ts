// Property-based fuzzing of Browse's URL parameters and the SQL they become: any query string parses without
// throwing, every bad parameter is named, a valid filter survives the trip through its URL, and no value ever
// reaches the SQL text. Fixed seeds keep CI deterministic.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelSourceKinds } from "../results/schema";
import { browseFilterSchema, browseHref, parseBrowseParams, type BrowseFilter } from "./schema";
import { selectionOfBrowse, selectionSql, textPattern, type ResponseSelection } from "./where";

const KEYS = Object.keys(browseFilterSchema.shape);
const VERDICTS = ["complied", "noncompliant", "partial", "unclear"] as const;

/** Parameter names: the real ones, names an object inherits, and anything else. */
const paramName = fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom("constructor", "toString", "hasOwnProperty", "valueOf", "__proto__", "colour", ""), fc.string({ maxLength: 8 }));
const paramValue = fc.oneof(
  fc.constantFrom("", " ", "1", "0", "r1", "best", "judge", "complied", "should_comply", "newest", "x' OR 1=1 --", "a".repeat(65), "b".repeat(201)),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const paramsArb = fc.array(fc.tuple(paramName, fc.oneof(paramValue, fc.array(paramValue, { maxLength: 3 }), fc.constant(undefined))), { maxLength: 8 }).map((entries) => {
  // Like Next's searchParams: a plain object built from the query string, own properties only.
  const o: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
});

describe("parseBrowseParams (property)", () => {
  it("never throws on any parameters, keeps only valid filters, and names every parameter it drops", () => {
    fc.assert(
      fc.property(paramsArb, (params) => {
        const { filter, errors } = parseBrowseParams(params);
        expect(browseFilterSchema.safeParse(filter).success).toBe(true);
        for (const [k, v] of Object.entries(params)) {
          const value = Array.isArray(v) ? v[0] : v;
          if (value === undefined || value === "") continue;
          if (Object.hasOwn(filter, k)) continue;
          // Dropped: the message names it.
          expect(errors.join("\n")).toContain(`"${k}"`);
        }
        for (const e of errors) expect(e).toMatch(/ignored\.$/);
        expect(errors.length === 0).toBe(Object.entries(params).every(([k, v]) => {
          const value = Array.isArray(v) ? v[0] : v;
          return value === undefined || value === "" || Object.hasOwn(filter, k);
        }));
      }),
      { seed: 20261127, numRuns: 1500 },
    );
  });

  it("keeps a parameter named like an Object.prototype member out of the filter, with a message (regression)", () => {
    // Shrunk by the property above, {"constructor":"0"}: `k in shape` saw inherited names, so
    // browseFilterSchema.parse threw and /browse?constructor=0 failed instead of ignoring the parameter.
    const { filter, errors } = parseBrowseParams({ constructor: "0", run: "r1" });
    expect(filter).toEqual({ run: "r1" });
    expect(errors).toEqual(['Unknown filter "constructor" was ignored.']);
    // "__proto__" (own property, as a parsed query string has it) is reported too, not silently swallowed.
    const proto = parseBrowseParams(JSON.parse('{"__proto__":"x","run":"r1"}'));
    expect(proto.filter).toEqual({ run: "r1" });
    expect(proto.errors).toEqual(['Unknown filter "__proto__" was ignored.']);
  });
});

// ------------------------------------------------------------------------------------------------ round trip

const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
/** Free text as the schema keeps it: trimmed, 1–200 characters. */
const textArb = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 40 })
  .map((s) => s.trim())
  .filter((s) => s.length >= 1 && s.length <= 200);
const verdictArb = fc.constantFrom(...VERDICTS);

const filterArb: fc.Arbitrary<BrowseFilter> = fc.record(
  {
    dataset: idArb,
    run: idArb,
    category: textArb,
    subcategory: idArb,
    expectation: fc.constantFrom("should_not_comply", "should_comply"),
    source: fc.constantFrom(...labelSourceKinds),
    judge: idArb,
    judgeVerdict: verdictArb,
    humanVerdict: verdictArb,
    finalVerdict: verdictArb,
    labelled: fc.constant("1"),
    disagree: fc.constant("1"),
    annotator: idArb,
    q: textArb,
    sort: fc.constantFrom("newest", "oldest"),
    after: idArb,
  } as const,
  { requiredKeys: [] },
) as fc.Arbitrary<BrowseFilter>;

describe("browseHref → URLSearchParams → parseBrowseParams (property)", () => {
  it("gives back the same filter with no errors, for text with quotes, ampersands, emoji and RTL marks", () => {
    fc.assert(
      fc.property(filterArb, (filter) => {
        expect(browseFilterSchema.safeParse(filter).success).toBe(true);
        const href = browseHref(filter);
        expect(href.startsWith("/browse")).toBe(true);
        const query = href.includes("?") ? href.slice(href.indexOf("?") + 1) : "";
        const params = Object.fromEntries(new URLSearchParams(query));
        expect(parseBrowseParams(params)).toEqual({ filter, errors: [] });
      }),
      { seed: 4711, numRuns: 1000 },
    );
  });
});

// ------------------------------------------------------------------------------------------------ SQL

/** Values that mark themselves: the SQL text may hold no "⟦". */
const marked = fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => `⟦${s}'";--%_\\`);
const list = fc.array(marked, { maxLength: 3 });

const selectionArb: fc.Arbitrary<ResponseSelection> = fc.record(
  {
    datasetIds: list,
    runIds: list,
    categorySlugs: list,
    subcategoryIds: list,
    expectation: fc.constantFrom("should_not_comply", "should_comply"),
    judgeVerdict: verdictArb,
    humanVerdict: verdictArb,
    finalVerdict: verdictArb,
    labelled: fc.boolean(),
    disagree: fc.boolean(),
    annotatorIds: list,
    text: marked,
    source: fc.constantFrom(...labelSourceKinds),
    judgeId: fc.option(marked, { nil: null }),
  },
  { requiredKeys: ["source", "judgeId"] },
) as fc.Arbitrary<ResponseSelection>;

describe("selectionSql (property)", () => {
  it("never interpolates a value: every value is a parameter, every placeholder is numbered in order", () => {
    fc.assert(
      fc.property(
        selectionArb,
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom("scan", "index" as const),
        fc.boolean(),
        (sel, firstParam, text, omitText) => {
          const s = selectionSql(sel, { firstParam, text: text as "scan" | "index", omitText });
          const sqlText = `${s.joins}\n${s.where}`;
          expect(sqlText).not.toContain("⟦");
          // Enum values travel as parameters too (the SQL casts them); none is spelled out.
          for (const v of [...VERDICTS, "should_comply", "should_not_comply"]) expect(sqlText).not.toContain(`'${v}'`);
          const used = new Set([...sqlText.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
          expect(s.nextParam).toBe(firstParam + s.params.length);
          expect([...used].sort((a, b) => a - b)).toEqual(s.params.map((_, i) => firstParam + i));
          // The text search term is a parameter (as given, or as an escaped ILIKE pattern).
          if (sel.text !== undefined && !omitText) expect(s.params).toContain(text === "scan" ? sel.text : textPattern(sel.text));
        },
      ),
      { seed: 1234, numRuns: 1000 },
    );
  });

  it("turns any parsed Browse URL into SQL without a value in its text", () => {
    fc.assert(
      fc.property(paramsArb, (params) => {
        const { filter } = parseBrowseParams(params);
        const s = selectionSql(selectionOfBrowse(filter));
        const sqlText = `${s.joins}\n${s.where}`;
        for (const v of [filter.q, filter.category, filter.run, filter.dataset, filter.judge, filter.annotator, filter.subcategory]) {
          // Short values can coincide with SQL (an id "r" is also the alias r); long ones cannot.
          if (v !== undefined && v.length >= 12) expect(sqlText).not.toContain(v);
        }
      }),
      { seed: 77, numRuns: 500 },
    );
  });
});
