// Property-based fuzzing of the import's byte, record and row layers: whatever a user uploads, the import never
// crashes with an unexpected error, every rejection says where (line, row, field) and what to do, and every
// valid file reads back exactly the records that were written. Fixed seeds keep CI deterministic.
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { guardBytes, ImportFileError } from "./decode";
import { buildTaxonomyIndex } from "./normalize";
import { parseRecords, type ParseEvent } from "./parse";
import { bufferSource, readPreview } from "./sources";
import { importMappingSchema, type ImportFormat, type ImportMappingInput, type ImportProblem } from "./schema";
import { Validator, type ImportContext } from "./validate";

const FORMATS: ImportFormat[] = ["csv", "tsv", "jsonl"];

type Outcome = { events: ParseEvent[]; fatal: ImportProblem | null };

/** Runs bytes through the import's byte guard and parser, cut into chunks of `chunkSize`. */
async function run(bytes: Uint8Array, format: ImportFormat, chunkSize: number, maxRecordBytes = 10_000): Promise<Outcome> {
  async function* input() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const events: ParseEvent[] = [];
  try {
    for await (const ev of parseRecords(guardBytes(input(), { maxBytes: 1e9 }), format, { maxRecordBytes })) events.push(ev);
  } catch (err) {
    // Anything but the module's own typed error is a crash.
    if (!(err instanceof ImportFileError)) throw err;
    return { events, fatal: err.problem };
  }
  return { events, fatal: null };
}

/** Every problem says what is wrong, where (a line ≥ 1, and a row when it is about a record), and what to do. */
function expectLocated(p: ImportProblem, opts: { row: boolean }) {
  expect(p.message.trim()).not.toBe("");
  expect(p.fix.trim()).not.toBe("");
  expect(p.line).toBeGreaterThanOrEqual(1);
  if (opts.row) expect(p.row).toBeGreaterThanOrEqual(1);
}

function expectWellFormed({ events, fatal }: Outcome) {
  let lastLine = 0;
  for (const ev of events) {
    if (ev.kind === "columns") continue;
    const at = ev.kind === "record" ? ev : ev.problem;
    if (ev.kind === "problem") expectLocated(ev.problem, { row: true });
    // Records come in file order.
    expect(at.line!).toBeGreaterThan(lastLine);
    lastLine = at.line!;
  }
  // A fatal problem from the parser names the record it could not finish; one from the byte guard names the line.
  if (fatal) expectLocated(fatal, { row: false });
}

const bytesOf = (s: string) => Buffer.from(s, "utf8");

describe("import parsing never crashes, and locates every rejection (property)", () => {
  it("on arbitrary bytes, in every format, however chunked", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...FORMATS), fc.integer({ min: 1, max: 64 }), async (bytes, format, chunk) => {
        expectWellFormed(await run(bytes, format, chunk));
      }),
      { seed: 20261127, numRuns: 400 },
    );
  });

  it("on text that is nearly a file: quotes, delimiters, line breaks, BOMs, braces, invalid bytes", async () => {
    const token = fc.oneof(
      fc.constantFrom("a", "id", "x y", ",", "\t", '"', '""', "\n", "\r\n", "\r", "\uFEFF", "{", "}", ":", '"k"', "[1]", "null", "😀", "\u200F", "é"),
      fc.string({ unit: "grapheme", maxLength: 4 }),
    );
    const raw = fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0x00], [0xfe, 0xff], [0xef, 0xbb, 0xbf]);
    const piece = fc.oneof({ weight: 8, arbitrary: token.map(bytesOf) }, { weight: 1, arbitrary: raw.map((b) => Buffer.from(b)) });
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.constantFrom(...FORMATS), fc.integer({ min: 1, max: 32 }), async (pieces, format, chunk) => {
        expectWellFormed(await run(Buffer.concat(pieces), format, chunk));
      }),
      { seed: 4242, numRuns: 600 },
    );
  });

  it("the preview of the mapping screen returns a located problem instead of throwing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...FORMATS), fc.integer({ min: 1, max: 64 }), async (bytes, format, chunk) => {
        const preview = await readPreview(bufferSource(bytes, "fuzz", chunk), format, { records: 3 });
        expect(preview.samples.length).toBeLessThanOrEqual(3);
        if (preview.problem) expectLocated(preview.problem, { row: false });
      }),
      { seed: 31, numRuns: 200 },
    );
  });

  it("on records larger than the cap: a too_large problem on the line the record starts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FORMATS), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 50 }), async (format, before, chunk) => {
        const d = format === "tsv" ? "\t" : ",";
        const small = format === "jsonl" ? '{"a":"1"}' : `1${d}2`;
        const big = format === "jsonl" ? `{"a":"${"x".repeat(300)}"}` : `1${d}${"x".repeat(300)}`;
        const head = format === "jsonl" ? [] : [`a${d}b`];
        const text = [...head, ...Array.from({ length: before }, () => small), big, small].join("\n");
        const { fatal } = await run(bytesOf(text), format, chunk, 200);
        expect(fatal).toMatchObject({ code: "too_large", line: head.length + before + 1 });
        expectLocated(fatal!, { row: false });
      }),
      { seed: 7, numRuns: 60 },
    );
  });
});

// ------------------------------------------------------------------------------------------------ round trip

/** Cell text with everything a prompt can hold that a file format cares about. */
const nasty = fc.constantFrom('"', '""', ",", "\t", "\n", "\r\n", "\r", " ", "\uFEFF", "😀", "👩‍👩‍👧", "\u200F", "\u202E", "שלום", "é", "=1+1", "\\", "'");
const cellText = fc
  .array(fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) }), { maxLength: 8 })
  .map((parts) => parts.join("").replace(/\u0000/g, ""));
const recordArb = fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), prompt: cellText, response: cellText });
const COLUMNS = ["id", "prompt", "response"] as const;

function write(records: { id: string; prompt: string; response: string }[], format: ImportFormat, opts: { bom: boolean; crlf: boolean }): string {
  if (format === "jsonl") return (opts.bom ? "\uFEFF" : "") + records.map((r) => JSON.stringify(r)).join(opts.crlf ? "\r\n" : "\n");
  return stringify([[...COLUMNS], ...records.map((r) => COLUMNS.map((c) => r[c]))], {
    bom: opts.bom,
    delimiter: format === "tsv" ? "\t" : ",",
    // With CRLF records csv-stringify leaves a cell holding a bare LF unquoted (see parse.test.ts): quote all there.
    ...(opts.crlf ? { record_delimiter: "windows", quoted: true } : {}),
  });
}

describe("a valid file reads back exactly the records written (property)", () => {
  it("CSV, TSV and JSONL with quotes, delimiters, line breaks, CR, BOM, emoji and RTL marks, however chunked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...FORMATS),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 48 }),
        async (records, format, bom, crlf, chunk) => {
          const text = write(records, format, { bom, crlf });
          const { events, fatal } = await run(bytesOf(text), format, chunk);
          expect(fatal).toBeNull();
          expect(events.filter((e) => e.kind === "problem")).toEqual([]);
          const got = events.flatMap((e) => (e.kind === "record" ? [e.values] : []));
          expect(got).toEqual(records);
          if (format !== "jsonl") expect(events[0]).toEqual({ kind: "columns", columns: [...COLUMNS], duplicates: [] });
        },
      ),
      { seed: 1127, numRuns: 400 },
    );
  });
});

// ------------------------------------------------------------------------------------------------ validation

const ctx: ImportContext = {
  taxonomy: buildTaxonomyIndex(["Incomplete requests/underspecified", "Requests with safety concerns/misinformation"]),
  users: [{ id: "u1", email: "ann@lab.org", name: "Ann" }],
  datasets: new Set(),
  runs: new Set(),
  judges: new Set(),
};
const mapping: ImportMappingInput = {
  dataset: { column: "dataset" },
  prompt: {
    id: { column: "id" },
    text: { column: "prompt" },
    category: { column: "category" },
    subcategory: { column: "subcategory" },
    expectation: { column: "expectation" },
  },
  responses: [
    {
      text: { column: "response" },
      model: { column: "model" },
      run: { value: "r1" },
      judges: [{ name: { value: "judge" }, version: { value: "1" }, verdict: { column: "judge" } }],
      humans: [{ annotator: { column: "annotator" }, verdict: { column: "human" }, note: { column: "note" } }],
    },
  ],
};
const MAPPED = ["dataset", "id", "prompt", "category", "subcategory", "expectation", "response", "model", "judge", "annotator", "human", "note"];
/** Problems about the file as a whole (the mapping, JSONL keys no record has, people, totals): no line. */
const WHOLE_FILE = new Set(["mapping", "permission", "too_many", "header", "unknown_user"]);

describe("row validation never crashes and names the line, row and field of every problem (property)", () => {
  it("on arbitrary cell values, some plausible, some not", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.constantFrom("", " ", "complied", "Partial", "ACCEPTABLE", "should_comply", "should_not_comply", "Incomplete requests", "underspecified", "misinformation", "ann@lab.org", "Bob", "d1", "m1", "x\ny", "\t"),
      fc.string({ unit: "grapheme", maxLength: 80 }),
    );
    const rec = fc.record(Object.fromEntries(MAPPED.map((c) => [c, value])) as Record<string, fc.Arbitrary<string | null>>, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 8 }), fc.boolean(), (rows, withHeader) => {
        const v = new Validator(importMappingSchema.parse(mapping), ctx, { createSubcategories: false, createAnnotators: true }, 1000);
        if (withHeader) v.add({ kind: "columns", columns: MAPPED, duplicates: [] });
        const lines = new Set<number>();
        rows.forEach((values, i) => {
          lines.add(i + 2);
          v.add({ kind: "record", line: i + 2, row: i + 2, values: values as Record<string, string | null> });
        });
        const { report } = v.finish(1, "sha");
        for (const p of report.problems) {
          expect(p.message.trim()).not.toBe("");
          expect(p.fix.trim()).not.toBe("");
          if (p.code !== "too_many") expect(p.field ?? "").not.toBe("");
          if (p.line === undefined) {
            expect(WHOLE_FILE).toContain(p.code);
            continue;
          }
          expect(lines).toContain(p.line);
          expect(p.row).toBe(p.line);
          expect(p.field ?? "").not.toBe("");
        }
        // A row that is not valid is never passed silently.
        if (v.validRecords < rows.length) expect(report.ok).toBe(false);
      }),
      { seed: 99, numRuns: 300 },
    );
  });
});
