// Record parsers over validated UTF-8 chunks (lib/imports/decode.ts): JSON Lines, CSV and TSV. Streaming and
// pure: they turn bytes into records with their line and row numbers, and report a broken record as a
// problem without stopping, unless the file cannot be read further (broken CSV quoting), which throws.
//
// CSV/TSV use csv-parse's streaming parser. It is driven by hand (write a chunk, then read every record it
// produced) rather than piped, because a piped parser that fails drops the records it had already parsed in
// that chunk, and each of those may carry problems the user should see in the same report.
import { parse as csvParse, type Info } from "csv-parse";
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

/**
 * Line numbers for byte offsets of the parser's input. csv-parse's own `info.lines` counts a CRLF inside a
 * quoted cell as two lines, so lines are counted here from the bytes, in one forward pass.
 */
class LineTracker {
  private bufs: { start: number; buf: Buffer }[] = [];
  private cursor = 0;
  private line = 1;

  push(start: number, buf: Buffer) {
    this.bufs.push({ start, buf });
  }

  private byteAt(offset: number): number | undefined {
    for (const b of this.bufs) {
      if (offset >= b.start && offset < b.start + b.buf.length) return b.buf[offset - b.start];
    }
    return undefined;
  }

  /** First offset ≥ `offset` that is not a CR or LF (skipped empty lines), or `offset` at the end. */
  skipBlank(offset: number): number {
    let o = offset;
    for (let b = this.byteAt(o); b === 0x0a || b === 0x0d; b = this.byteAt(++o));
    return o;
  }

  /** Line number at `offset`; offsets must not decrease between calls. */
  lineAt(offset: number): number {
    for (const b of this.bufs) {
      const end = b.start + b.buf.length;
      if (end <= this.cursor) continue;
      const from = Math.max(this.cursor, b.start) - b.start;
      const to = Math.min(offset, end) - b.start;
      for (let i = b.buf.indexOf(0x0a, from); i !== -1 && i < to; i = b.buf.indexOf(0x0a, i + 1)) this.line++;
      if (offset <= end) break;
    }
    this.cursor = Math.max(this.cursor, offset);
    while (this.bufs.length > 1 && this.bufs[0].start + this.bufs[0].buf.length <= this.cursor) this.bufs.shift();
    return this.line;
  }
}

interface CsvRow {
  record: string[];
  info: Info;
}

async function* parseDelimited(bytes: AsyncIterable<Buffer>, delimiter: string, opts: ParseOptions): AsyncGenerator<ParseEvent> {
  const parser = csvParse({
    delimiter,
    info: true,
    relax_column_count: true, // a wrong cell count is one row's problem, reported with the others
    skip_empty_lines: true,
    max_record_size: opts.maxRecordBytes,
    // TSV writers rarely quote, so a stray " inside a cell is text there; CSV keeps strict quoting so that an
    // unbalanced quote is reported instead of silently swallowing the rest of the file.
    relax_quotes: delimiter === "\t",
  });
  let failure: Error | null = null;
  parser.on("error", (err) => {
    failure ??= err; // a write after the failure raises a second, less useful error
  });
  const lines = new LineTracker();
  let offset = 0;
  let lastEnd = 0;
  let header: string[] | null = null;
  let row = 0;

  function* take(r: CsvRow): Generator<ParseEvent> {
    const start = lines.skipBlank(lastEnd);
    const line = lines.lineAt(start);
    lastEnd = r.info.bytes;
    row++;
    if (r.record.every((c) => c.trim() === "")) return; // a row of empty cells is an empty line
    if (!header) {
      header = r.record.map((h, i) => h.trim() || `column_${i + 1}`);
      const seen = new Set<string>();
      const duplicates = [...new Set(header.filter((h) => (seen.has(h) ? true : (seen.add(h), false))))];
      yield { kind: "columns", columns: header, duplicates };
      return;
    }
    if (r.record.length !== header.length) {
      yield {
        kind: "problem",
        problem: {
          code: "column_count",
          line,
          row,
          message: `This row has ${r.record.length} cells but the header has ${header.length} columns`,
          fix: "Check for an unquoted delimiter or line break inside a cell (quote such cells with \"…\"), or a missing cell.",
        },
      };
      return;
    }
    const values: Record<string, string | null> = {};
    for (let i = header.length - 1; i >= 0; i--) values[header[i]] = r.record[i]; // first of duplicate names wins
    yield { kind: "record", line, row, values };
  }

  function* drain(): Generator<ParseEvent> {
    let r: CsvRow | null;
    while ((r = parser.read() as CsvRow | null) !== null) yield* take(r);
    if (failure) throw csvError(failure, lines.lineAt(lines.skipBlank(lastEnd)), row + 1);
  }

  for await (const chunk of bytes) {
    if (failure) break;
    lines.push(offset, chunk);
    offset += chunk.length;
    parser.write(chunk);
    yield* drain();
  }
  if (failure) throw csvError(failure, lines.lineAt(lines.skipBlank(lastEnd)), row + 1);
  parser.end();
  try {
    for await (const r of parser as AsyncIterable<CsvRow>) yield* take(r);
  } catch (err) {
    throw csvError(err as Error, lines.lineAt(lines.skipBlank(lastEnd)), row + 1);
  }
  if (failure) throw csvError(failure, lines.lineAt(lines.skipBlank(lastEnd)), row + 1);
}

/** A csv-parse error as a problem located at the record it could not finish. */
function csvError(err: Error & { code?: string }, line: number, row: number): ImportFileError {
  if (err instanceof ImportFileError) return err;
  const detail = err.message.replace(/ at line \d+/, "");
  if (err.code === "CSV_QUOTE_NOT_CLOSED") {
    return new ImportFileError({
      code: "syntax",
      line,
      row,
      message: `A quoted cell in the row starting on line ${line} is never closed, so the rest of the file cannot be read`,
      fix: 'Close the quote, or double a quote that is part of the text ("" inside a quoted cell).',
    });
  }
  if (err.code === "CSV_MAX_RECORD_SIZE") {
    return new ImportFileError({
      code: "too_large",
      line,
      row,
      message: `The row starting on line ${line} is too large (${detail})`,
      fix: "Check for an unclosed quote before this row; otherwise shorten the row.",
    });
  }
  return new ImportFileError({
    code: "syntax",
    line,
    row,
    message: `The row starting on line ${line} is not valid CSV: ${detail}`,
    fix: 'A cell that contains the delimiter, a quote or a line break must be quoted, with inner quotes doubled ("").',
  });
}
