import { parse as csvParseSync } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { neutraliseFormula, unneutraliseFormula } from "../exports/formula";
import { guardBytes, ImportFileError } from "./decode";
import { DelimitedSplitter, parseRecords, type ParseEvent } from "./parse";
import type { ImportFormat } from "./schema";

async function events(text: string | Buffer, format: ImportFormat, chunkSize = 7): Promise<ParseEvent[]> {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  async function* input() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: ParseEvent[] = [];
  for await (const ev of parseRecords(guardBytes(input(), { maxBytes: 1e9 }), format, { maxRecordBytes: 10_000 })) out.push(ev);
  return out;
}

async function fatal(text: string, format: ImportFormat) {
  try {
    await events(text, format);
  } catch (err) {
    expect(err).toBeInstanceOf(ImportFileError);
    return (err as ImportFileError).problem;
  }
  throw new Error("expected a fatal error");
}

const records = (evs: ParseEvent[]) => evs.filter((e) => e.kind === "record");
const problems = (evs: ParseEvent[]) => evs.flatMap((e) => (e.kind === "problem" ? [e.problem] : []));

describe("JSONL", () => {
  it("reads objects with line and record numbers, skipping blank lines, with CRLF and a BOM", async () => {
    const evs = await events('\uFEFF{"id":"a","n":1,"ok":true,"x":null}\r\n\r\n  \n{"id":"b","tags":["u"]}', "jsonl");
    expect(records(evs)).toEqual([
      { kind: "record", line: 1, row: 1, values: { id: "a", n: "1", ok: "true", x: null } },
      { kind: "record", line: 4, row: 2, values: { id: "b", tags: '["u"]' } },
    ]);
  });

  it("reports a bad line and keeps reading", async () => {
    const evs = await events('{"id":"a"}\n{"id": "b",\n[1,2]\n"text"\n{"id":"e"}\n', "jsonl");
    expect(records(evs).map((r) => (r.kind === "record" ? r.line : 0))).toEqual([1, 5]);
    expect(problems(evs).map((p) => [p.code, p.line])).toEqual([
      ["syntax", 2],
      ["syntax", 3],
      ["syntax", 4],
    ]);
    expect(problems(evs)[0].message).toMatch(/^Not valid JSON/);
    expect(problems(evs)[1].message).toBe("Expected a JSON object, got an array");
  });

  it("refuses a record over the size cap", async () => {
    const p = await fatal(`{"id":"a"}\n{"p":"${"x".repeat(20_000)}"}\n`, "jsonl");
    expect(p).toMatchObject({ code: "too_large", line: 2 });
  });
});

describe("CSV", () => {
  it("reads quoted multi-line cells with CRLF, doubled quotes and empty lines, with correct line numbers", async () => {
    const text = 'id,prompt,response\r\n1,"two\r\nlines","say ""hi"""\r\n\r\n2,plain,"a,b"\r\n,,\r\n3,last,x';
    const evs = await events(text, "csv", 5);
    expect(evs[0]).toEqual({ kind: "columns", columns: ["id", "prompt", "response"], duplicates: [] });
    expect(records(evs)).toEqual([
      { kind: "record", line: 2, row: 2, values: { id: "1", prompt: "two\r\nlines", response: 'say "hi"' } },
      { kind: "record", line: 5, row: 3, values: { id: "2", prompt: "plain", response: "a,b" } },
      { kind: "record", line: 7, row: 5, values: { id: "3", prompt: "last", response: "x" } },
    ]);
  });

  it("reports rows with the wrong number of cells and keeps reading", async () => {
    const evs = await events("a,b\n1,2\n1,2,3\n4\n5,6\n", "csv");
    expect(records(evs)).toHaveLength(2);
    expect(problems(evs).map((p) => [p.code, p.line, p.row])).toEqual([
      ["column_count", 3, 3],
      ["column_count", 4, 4],
    ]);
    expect(problems(evs)[0].message).toBe("This row has 3 cells but the header has 2 columns");
  });

  it("names the line where an unbalanced quote starts", async () => {
    const p = await fatal('id,prompt\n1,ok\n2,"never closed\n3,more\n4,rows\n', "csv");
    expect(p).toMatchObject({ code: "syntax", line: 3, row: 3 });
    expect(p.message).toMatch(/never closed/);
  });

  it("names the row with a quote in the middle of a cell", async () => {
    const p = await fatal('id,prompt\n1,"ok"\n2,"bad"x\n', "csv");
    expect(p).toMatchObject({ code: "syntax", line: 3 });
    expect(p.message).toMatch(/not valid CSV/);
  });

  it("lists duplicate header names and names empty ones", async () => {
    const evs = await events("id,label,label,\n1,a,b,c\n", "csv");
    expect(evs[0]).toEqual({ kind: "columns", columns: ["id", "label", "label", "column_4"], duplicates: ["label"] });
    expect(records(evs)[0]).toMatchObject({ values: { id: "1", label: "a", column_4: "c" } });
  });

  it("reads TSV, where a quote inside a cell is text", async () => {
    const evs = await events('id\tprompt\n1\tsay "x" now\n2\t"quoted\ttab"\n', "tsv");
    expect(records(evs).map((r) => (r.kind === "record" ? r.values.prompt : ""))).toEqual(['say "x" now', "quoted\ttab"]);
  });

  it("gives back exactly what csv-stringify wrote, neutralised cells included, however the file is chunked (property)", async () => {
    const cell = fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => s.replace(/\u0000/g, ""));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 40 }), async (rows, chunk) => {
        const text = stringify([["a", "b"], ...rows.map((r) => r.map(neutraliseFormula))], { bom: true });
        const got = records(await events(text, "csv", chunk)).map((r) => (r.kind === "record" ? [r.values.a!, r.values.b!].map(unneutraliseFormula) : []));
        // csv-parse skips rows whose cells are all empty, as the import does.
        expect(got).toEqual(rows.filter((r) => r.some((c) => c !== "")).filter((r) => !r.every((c) => c.trim() === "")));
      }),
      { numRuns: 200 },
    );
  });

  it("names the physical line each record starts on, across quoted line breaks, CRLF and blank lines (property)", async () => {
    const cell = fc.constantFrom("a", "b c", "x\ny", "p\r\nq", 'say "hi"', "", "1,2");
    const record = fc.array(cell, { minLength: 2, maxLength: 2 });
    const gap = fc.constantFrom("", "\n", "\r\n", "\n\n");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(record, gap), { minLength: 1, maxLength: 8 }), fc.constantFrom("\n", "\r\n"), fc.integer({ min: 1, max: 30 }), async (rows, eol, chunk) => {
        let text = `a,b${eol}`;
        const expected: { line: number; values: Record<string, string> }[] = [];
        for (const [cells, blank] of rows) {
          text += blank;
          const line = text.split("\n").length;
          if (cells.some((c) => c.trim() !== "")) expected.push({ line, values: { a: cells[0], b: cells[1] } });
          // With CRLF records csv-stringify leaves a cell holding a bare LF unquoted, so quote every cell there.
          text += stringify([cells], eol === "\n" ? { record_delimiter: "unix" } : { record_delimiter: "windows", quoted: true });
        }
        const got = records(await events(text, "csv", chunk)).map((r) => (r.kind === "record" ? { line: r.line, values: r.values } : null));
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("CSV dialect", () => {
  // The parser replaced csv-parse for speed; these pin it to what csv-parse (the options the import used) reads,
  // errors included, on inputs built from the characters that matter, cut into chunks anywhere.
  const split = (text: string, delimiter: "," | "\t", chunk: number) => {
    const s = new DelimitedSplitter(delimiter, delimiter === "\t", 1e9);
    const out: { line: number; cells: string[] }[] = [];
    try {
      for (let i = 0; i < text.length; i += chunk) s.push(text.slice(i, i + chunk), out);
      s.end(out);
      return { ok: true, records: out.map((r) => r.cells) };
    } catch {
      return { ok: false };
    }
  };
  const reference = (text: string, delimiter: "," | "\t") => {
    try {
      const records = csvParseSync(text, { delimiter, relax_column_count: true, skip_empty_lines: true, relax_quotes: delimiter === "\t", record_delimiter: ["\n", "\r\n"] });
      return { ok: true, records };
    } catch {
      return { ok: false };
    }
  };
  for (const delimiter of [",", "\t"] as const) {
    it(`reads ${delimiter === "," ? "CSV" : "TSV"} exactly as csv-parse does (property)`, () => {
      const token = fc.constantFrom("a", "b", " ", ",", "\t", '"', '""', "\n", "\r\n", "\r");
      fc.assert(
        fc.property(fc.array(token, { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (tokens, chunk) => {
          const text = tokens.join("");
          expect(split(text, delimiter, chunk)).toEqual(reference(text, delimiter));
        }),
        { numRuns: 3000 },
      );
    });
  }

  it("keeps a TSV cell that only starts with a quote as text, quotes included", () => {
    expect(split('"ab"cd\tz\n"a""b"x\t"ok"\n', "\t", 4)).toEqual({ ok: true, records: [['"ab"cd', "z"], ['"a"b"x', "ok"]] });
  });
});
