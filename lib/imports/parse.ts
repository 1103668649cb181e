// Record parsers over validated UTF-8 chunks (lib/imports/decode.ts): JSON Lines, CSV and TSV. Streaming and
// pure: they turn bytes into records with their line and row numbers, and report a broken record as a
// problem without stopping, unless the file cannot be read further (broken CSV quoting), which throws.
//
// CSV/TSV have their own small parser (RFC 4180) instead of csv-parse: the import reads a file twice, and
// csv-parse managed ~21 MB/s, so parsing was most of the validation pass (measured on a 565 MB, 1,000,000-row
// Abstain export: 26 s of 32 s). This one scans strings with indexOf and charCodeAt and counts physical lines
// as it goes (csv-parse's own line count treats a CRLF inside a quoted cell as two lines).
import { StringDecoder } from "node:string_decoder";
import { ImportFileError } from "./decode";
import type { ImportFormat, ImportProblem } from "./schema";

export interface SourceRecord {
  kind: "record";
  /** Physical line where the record starts (1-based). */
  line: number;
  /** CSV: the header is row 1, so this is the row number a spreadsheet shows. JSONL: 1 for the first record. */
  row: number;
  /** Column → value. CSV cells are strings; JSONL numbers and booleans become strings, null stays null. */
  values: Record<string, string | null>;
}

export type ParseEvent =
  | { kind: "columns"; columns: string[]; duplicates: string[] }
  | SourceRecord
  | { kind: "problem"; problem: ImportProblem };

export interface ParseOptions {
  maxRecordBytes: number;
}

export function parseRecords(bytes: AsyncIterable<Buffer>, format: ImportFormat, opts: ParseOptions): AsyncGenerator<ParseEvent> {
  return format === "jsonl" ? parseJsonl(bytes, opts) : parseDelimited(bytes, format === "tsv" ? "\t" : ",", opts);
}

// ------------------------------------------------------------------------------------------------ JSONL

/** JSON value → cell text: strings as they are, numbers and booleans as JSON spells them, objects as JSON. */
function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

async function* parseJsonl(bytes: AsyncIterable<Buffer>, opts: ParseOptions): AsyncGenerator<ParseEvent> {
  let parts: Buffer[] = [];
  let partLen = 0;
  let line = 0;
  let row = 0;

  function* handle(buf: Buffer): Generator<ParseEvent> {
    line++;
    const end = buf.length && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
    const text = buf.toString("utf8", 0, end);
    if (text.trim() === "") return;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield {
        kind: "problem",
        problem: {
          code: "syntax",
          line,
          row,
          message: `Not valid JSON: ${(err as Error).message}`,
          fix: "Each line of a JSONL file must be one complete JSON object; fix or remove this line.",
        },
      };
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      yield {
        kind: "problem",
        problem: {
          code: "syntax",
          line,
          row,
          message: `Expected a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}`,
          fix: 'Each line must be an object such as {"id": "…", "prompt": "…"}.',
        },
      };
      return;
    }
    const values: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(value)) values[k] = cell(v);
    yield { kind: "record", line, row, values };
  }

  for await (const chunk of bytes) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        if (start < chunk.length) {
          parts.push(chunk.subarray(start));
          partLen += chunk.length - start;
          if (partLen > opts.maxRecordBytes) throw recordTooLarge(line + 1, opts.maxRecordBytes);
        }
        break;
      }
      const piece = chunk.subarray(start, nl);
      if (partLen + piece.length > opts.maxRecordBytes) throw recordTooLarge(line + 1, opts.maxRecordBytes);
      const buf = parts.length ? Buffer.concat([...parts, piece]) : piece;
      parts = [];
      partLen = 0;
      yield* handle(buf);
      start = nl + 1;
    }
  }
  if (partLen) yield* handle(Buffer.concat(parts));
}

function recordTooLarge(line: number, max: number): ImportFileError {
  return new ImportFileError({
    code: "too_large",
    line,
    message: `The record starting on line ${line} is larger than ${max.toLocaleString("en")} bytes`,
    fix: "Check for a missing line break or an unclosed quote before this line; otherwise shorten the record.",
  });
}

// -------------------------------------------------------------------------------------------- CSV / TSV
//
// The dialect, as csv-parse read it for the import before (options delimiter, relax_column_count,
// skip_empty_lines, relax_quotes for TSV), so files and messages are the same:
// - records end at LF or CRLF; a lone CR is text; a cell that holds a line break, the delimiter or a quote is
//   quoted with ", and a quote inside it is doubled ("");
// - CSV is strict: a quote inside an unquoted cell, or anything but the delimiter or the end of the line after a
//   closing quote, stops the file (an unbalanced quote would otherwise swallow the rest of it silently);
// - TSV writers rarely quote, so there a quote inside an unquoted cell is text, and so is a quote inside a quoted
//   cell that is not followed by the delimiter or the end of the line;
// - empty lines are skipped and do not count as rows; a row of empty cells counts as a row and is skipped;
// - a row with more or fewer cells than the header is one problem, reported with the others.

/** Bytes decoded to one string at a time (see parseDelimited). */
const DECODE_BYTES = 64 * 1024;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** A CSV/TSV syntax error, located by the caller at the record it could not finish. */
class CsvSyntax extends Error {
  constructor(
    readonly kind: "unclosed" | "too_large" | "syntax",
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Resumable record splitter: `push` text (ending on a character boundary), take the finished records, `end`
 * at the end of the input. Keeps only the unfinished record's text between pushes.
 */
export class DelimitedSplitter {
  private text = "";
  private pos = 0; // next character to scan
  private recStart = 0; // where the unfinished record starts in `text`
  private fieldStart = 0; // where the current cell's unread text starts
  private prefix = ""; // TSV: the text of a cell that started quoted and turned out not to be
  private fields: string[] = [];
  private parts: string[] = []; // a quoted cell's text so far (doubled quotes undone)
  private state: "start" | "plain" | "quoted" = "start"; // at a cell's start, in an unquoted / a quoted cell
  private lineAtPos = 1; // physical line of `pos`
  /** Physical line where the unfinished record starts. */
  recordLine = 1;
  private readonly delim: number;

  constructor(
    delimiter: "," | "\t",
    private readonly relaxQuotes: boolean,
    private readonly maxRecordChars: number,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Adds text; appends the records it completes to `out`, each with the line it starts on. */
  push(chunk: string, out: { line: number; cells: string[] }[]): void {
    if (this.recStart >= this.text.length) {
      this.text = chunk;
    } else {
      this.text = this.text.slice(this.recStart) + chunk;
    }
    this.pos -= this.recStart;
    this.fieldStart -= this.recStart;
    this.recStart = 0;
    this.scan(false, out);
  }

  /** The end of the input: finishes a last record without a line break; throws on an unclosed quote. */
  end(out: { line: number; cells: string[] }[]): void {
    this.scan(true, out);
  }

  private countLines(from: number, to: number) {
    const t = this.text;
    for (let i = t.indexOf("\n", from); i !== -1 && i < to; i = t.indexOf("\n", i + 1)) this.lineAtPos++;
  }

  private endField(value: string) {
    if (this.prefix) {
      this.fields.push(this.prefix + value);
      this.prefix = "";
    } else this.fields.push(value);
    this.state = "start";
  }

  private endRecord(next: number, out: { line: number; cells: string[] }[]) {
    out.push({ line: this.recordLine, cells: this.fields });
    this.fields = [];
    this.state = "start";
    this.recStart = next;
    this.fieldStart = next;
    this.pos = next;
    this.recordLine = this.lineAtPos;
  }

  private scan(final: boolean, out: { line: number; cells: string[] }[]) {
    const t = this.text;
    const n = t.length;
    const D = this.delim;
    while (this.pos < n) {
      if (this.pos - this.recStart > this.maxRecordChars) throw new CsvSyntax("too_large", `more than ${this.maxRecordChars.toLocaleString("en")} characters`);
      if (this.state === "start") {
        const c = t.charCodeAt(this.pos);
        if (this.fields.length === 0 && this.pos === this.recStart && (c === LF || c === CR)) {
          // An empty line (skipped), unless this CR is text at the start of a record.
          if (c === LF) {
            this.lineAtPos++;
            this.recStart = this.fieldStart = ++this.pos;
            this.recordLine = this.lineAtPos;
            continue;
          }
          if (this.pos + 1 >= n && !final) return; // CR at the end of the chunk: wait for the next one
          if (t.charCodeAt(this.pos + 1) === LF) {
            this.lineAtPos++;
            this.recStart = this.fieldStart = this.pos += 2;
            this.recordLine = this.lineAtPos;
            continue;
          }
        }
        if (c === QUOTE) {
          this.state = "quoted";
          this.parts = [];
          this.fieldStart = ++this.pos;
          continue;
        }
        this.state = "plain";
        this.fieldStart = this.pos;
      }
      if (this.state === "plain") {
        let i = this.pos;
        let c = 0;
        for (; i < n; i++) {
          c = t.charCodeAt(i);
          if (c === D || c === LF || c === CR) break;
          if (c === QUOTE && !this.relaxQuotes) {
            throw new CsvSyntax("syntax", `a quote inside the cell ${JSON.stringify(t.slice(this.fieldStart, i + 1).slice(0, 40))}, which is not quoted`);
          }
        }
        if (i >= n) {
          this.pos = n;
          break;
        }
        if (c === D) {
          this.endField(t.slice(this.fieldStart, i));
          this.pos = i + 1;
          continue;
        }
        if (c === LF) {
          this.endField(t.slice(this.fieldStart, i));
          this.lineAtPos++;
          this.endRecord(i + 1, out);
          continue;
        }
        // CR: the end of the record when a LF follows, else text.
        if (i + 1 >= n && !final) {
          this.pos = i;
          return;
        }
        if (t.charCodeAt(i + 1) === LF) {
          this.endField(t.slice(this.fieldStart, i));
          this.lineAtPos++;
          this.endRecord(i + 2, out);
          continue;
        }
        this.pos = i + 1;
        continue;
      }
      // Quoted cell: jump to the next quote.
      const q = t.indexOf('"', this.pos);
      if (q === -1) {
        this.countLines(this.pos, n);
        this.pos = n;
        break;
      }
      this.countLines(this.pos, q);
      if (q + 1 >= n && !final) {
        this.pos = q; // is it "" or the closing quote? The next chunk says.
        return;
      }
      const next = q + 1 < n ? t.charCodeAt(q + 1) : -1;
      if (next === QUOTE) {
        this.parts.push(t.slice(this.fieldStart, q + 1));
        this.fieldStart = this.pos = q + 2;
        continue;
      }
      if (next === CR && q + 2 >= n && !final) {
        this.pos = q;
        return;
      }
      const closes = next === -1 || next === D || next === LF || (next === CR && t.charCodeAt(q + 2) === LF);
      if (!closes) {
        if (this.relaxQuotes) {
          // Not a quoted cell after all: the cell is text, its opening quote and this quote included (as
          // csv-parse reads it: doubled quotes already read stay single).
          this.state = "plain";
          this.prefix = `"${this.parts.join("")}${t.slice(this.fieldStart, q)}`;
          this.fieldStart = q;
          this.pos = q + 1;
          continue;
        }
        throw new CsvSyntax("syntax", `the quoted cell is followed by ${JSON.stringify(t.slice(q + 1, q + 11))} instead of a delimiter or the end of the line`);
      }
      this.parts.push(t.slice(this.fieldStart, q));
      this.endField(this.parts.length === 1 ? this.parts[0] : this.parts.join(""));
      this.parts = [];
      if (next === -1) {
        this.endRecord(n, out); // the closing quote is the last character of the input
        return;
      }
      if (next === D) {
        this.pos = q + 2;
        continue;
      }
      this.lineAtPos++;
      this.endRecord(next === LF ? q + 2 : q + 3, out);
    }
    if (this.pos - this.recStart > this.maxRecordChars) throw new CsvSyntax("too_large", `more than ${this.maxRecordChars.toLocaleString("en")} characters`);
    if (!final) return;
    if (this.state === "quoted") throw new CsvSyntax("unclosed", "quote not closed");
    if (this.state === "plain") this.endField(t.slice(this.fieldStart, n));
    else if (this.fields.length) this.endField(""); // "a,b," at the very end: the last cell is empty
    if (this.fields.length) this.endRecord(n, out);
  }
}

async function* parseDelimited(bytes: AsyncIterable<Buffer>, delimiter: "," | "\t", opts: ParseOptions): AsyncGenerator<ParseEvent> {
  const splitter = new DelimitedSplitter(delimiter, delimiter === "\t", opts.maxRecordBytes);
  let header: string[] | null = null;
  let row = 0;
  const done: { line: number; cells: string[] }[] = [];

  function* take(r: { line: number; cells: string[] }): Generator<ParseEvent> {
    const { line, cells } = r;
    row++;
    if (cells.every((c) => c.trim() === "")) return; // a row of empty cells is an empty line
    if (!header) {
      header = cells.map((h, i) => h.trim() || `column_${i + 1}`);
      const seen = new Set<string>();
      const duplicates = [...new Set(header.filter((h) => (seen.has(h) ? true : (seen.add(h), false))))];
      yield { kind: "columns", columns: header, duplicates };
      return;
    }
    if (cells.length !== header.length) {
      yield {
        kind: "problem",
        problem: {
          code: "column_count",
          line,
          row,
          message: `This row has ${cells.length} cells but the header has ${header.length} columns`,
          fix: "Check for an unquoted delimiter or line break inside a cell (quote such cells with \"…\"), or a missing cell.",
        },
      };
      return;
    }
    const values: Record<string, string | null> = {};
    for (let i = header.length - 1; i >= 0; i--) values[header[i]] = cells[i]; // first of duplicate names wins
    yield { kind: "record", line, row, values };
  }

  // Records finished before a syntax error are yielded first: each may carry problems of its own that belong
  // in the same report.
  function* drain(step: () => void): Generator<ParseEvent> {
    let failure: unknown = null;
    try {
      step();
    } catch (err) {
      failure = err;
    }
    for (const r of done) yield* take(r);
    done.length = 0;
    if (failure) throw failure instanceof CsvSyntax ? csvError(failure, splitter.recordLine, row + 1) : failure;
  }

  // Decoded 64 KiB at a time: a string over ~128 KB is allocated in V8's large-object space, which only a full
  // garbage collection frees, so whole 1 MiB chunks as strings let the heap balloon between collections (see
  // StagedRows in lib/imports/data.ts for what the two changes measured). The decoder carries a character cut
  // at a slice boundary over to the next slice.
  const decoder = new StringDecoder("utf8");
  for await (const chunk of bytes) {
    for (let at = 0; at < chunk.length; at += DECODE_BYTES) {
      const text = decoder.write(chunk.subarray(at, Math.min(chunk.length, at + DECODE_BYTES)));
      yield* drain(() => splitter.push(text, done));
    }
  }
  yield* drain(() => splitter.end(done));
}

/** A syntax error as a problem located at the record it could not finish. */
function csvError(err: CsvSyntax, line: number, row: number): ImportFileError {
  if (err.kind === "unclosed") {
    return new ImportFileError({
      code: "syntax",
      line,
      row,
      message: `A quoted cell in the row starting on line ${line} is never closed, so the rest of the file cannot be read`,
      fix: 'Close the quote, or double a quote that is part of the text ("" inside a quoted cell).',
    });
  }
  if (err.kind === "too_large") {
    return new ImportFileError({
      code: "too_large",
      line,
      row,
      message: `The row starting on line ${line} is too large (${err.message})`,
      fix: "Check for an unclosed quote before this row; otherwise shorten the row.",
    });
  }
  return new ImportFileError({
    code: "syntax",
    line,
    row,
    message: `The row starting on line ${line} is not valid CSV: ${err.message}`,
    fix: 'A cell that contains the delimiter, a quote or a line break must be quoted, with inner quotes doubled ("").',
  });
}
