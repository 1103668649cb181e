// The byte layer of an import: enforces the size cap, refuses binary files and other encodings, strips a
// UTF-8 byte-order mark, and hands the parsers UTF-8 chunks that always end on a character boundary.
// Pure over an async iterable of bytes (no file system, no database), so it is tested with plain buffers.
//
// Why not TextDecoder({ fatal: true }): it says *that* a file is not UTF-8 but not *where*. Validation uses
// Node's native buffer.isUtf8 per chunk (fast), and only when that fails scans the chunk in JS to name the
// byte offset and line, so the user can find the character.
import { isUtf8 } from "node:buffer";
import type { ImportProblem } from "./schema";

/** A problem that stops reading the file (size, encoding, binary, broken CSV quoting). */
export class ImportFileError extends Error {
  constructor(readonly problem: ImportProblem) {
    super(problem.message);
    this.name = "ImportFileError";
  }
}

export interface GuardOptions {
  maxBytes: number;
  /** Called with the running byte count (file bytes, BOM included) after every chunk. */
  onBytes?: (bytesRead: number) => void;
}

/** Known binary signatures, for a message that says what the file is instead of "invalid UTF-8". */
const SIGNATURES: { bytes: number[]; what: string; fix: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: "a ZIP archive (an Excel .xlsx workbook is one)", fix: "In the spreadsheet, use Save As → \"CSV UTF-8\" and upload that file." },
  { bytes: [0x1f, 0x8b], what: "gzip-compressed", fix: "Decompress it first (gunzip) and upload the plain file." },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: "a PDF document", fix: "Upload the data as CSV, TSV or JSONL." },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: "an old Excel .xls workbook", fix: "In the spreadsheet, use Save As → \"CSV UTF-8\" and upload that file." },
];
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const OTHER_BOMS: { bytes: number[]; what: string }[] = [
  { bytes: [0x00, 0x00, 0xfe, 0xff], what: "UTF-32 (big-endian)" },
  { bytes: [0xff, 0xfe, 0x00, 0x00], what: "UTF-32 (little-endian)" },
  { bytes: [0xfe, 0xff], what: "UTF-16 (big-endian)" },
  { bytes: [0xff, 0xfe], what: "UTF-16 (little-endian)" },
];

const startsWith = (buf: Uint8Array, prefix: number[]) => prefix.every((b, i) => buf[i] === b);
const SAVE_AS_UTF8 = "Save the file as UTF-8 (in a spreadsheet: Save As → \"CSV UTF-8\"; in an editor: Encoding → UTF-8) and upload it again.";

function countNewlines(buf: Uint8Array, end = buf.length): number {
  let n = 0;
  let i = -1;
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  while ((i = b.indexOf(0x0a, i + 1)) !== -1 && i < end) n++;
  return n;
}

/**
 * Index of the first byte that is not part of a valid UTF-8 sequence, or -1. A sequence cut off by the end of
 * `buf` counts as invalid (callers pass only complete data). Rejects overlong forms, surrogates and > U+10FFFF.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i; // truncated
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Length of an incomplete UTF-8 sequence at the end of `buf` (0–3), to carry over to the next chunk. */
export function incompleteTail(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return len > back ? back : 0;
  }
  return 0;
}

/**
 * Checks and passes on the bytes of a file: at most `maxBytes`, no NUL byte, valid UTF-8, the UTF-8 BOM
 * removed. Throws ImportFileError on the first violation. Yields Buffers that end on a character boundary.
 */
export async function* guardBytes(input: AsyncIterable<Uint8Array>, opts: GuardOptions): AsyncGenerator<Buffer> {
  let read = 0; // file bytes seen
  let emitted = 0; // file offset of the next byte to validate (carry included)
  let newlines = 0; // newlines in bytes already validated
  let carry: Buffer | null = null;
  let first = true;
  let head: Buffer | null = null; // the first bytes until there are enough to check signatures

  const fail = (offset: number, chunk: Buffer, at: number, code: ImportProblem["code"], message: string, fix: string): never => {
    const line = newlines + countNewlines(chunk, at) + 1;
    throw new ImportFileError({ code, line, message: `${message} (at byte offset ${offset.toLocaleString("en")}, line ${line})`, fix });
  };

  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const raw of input) {
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      read += buf.length;
      if (read > opts.maxBytes) {
        throw new ImportFileError({
          code: "too_large",
          message: `The file is larger than the limit of ${opts.maxBytes.toLocaleString("en")} bytes`,
          fix: "Split it into smaller files (each is imported all-or-nothing), or ask an admin to raise the limit.",
        });
      }
      opts.onBytes?.(read);
      if (buf.length) yield buf;
    }
  }

  for await (let buf of chunks()) {
    if (first) {
      head = head ? Buffer.concat([head, buf]) : buf;
      if (head.length < 4) continue;
      buf = head;
      head = null;
      first = false;
      for (const s of SIGNATURES) {
        if (startsWith(buf, s.bytes)) throw new ImportFileError({ code: "binary", line: 1, message: `This is not a text file: it looks like ${s.what}`, fix: s.fix });
      }
      for (const b of OTHER_BOMS) {
        if (startsWith(buf, b.bytes)) throw new ImportFileError({ code: "encoding", line: 1, message: `The file is encoded as ${b.what}, not UTF-8`, fix: SAVE_AS_UTF8 });
      }
      if (startsWith(buf, UTF8_BOM)) {
        buf = buf.subarray(3);
        emitted = 3;
      }
    }
    yield* check(buf);
  }
  if (first && head) {
    // A file shorter than four bytes.
    first = false;
    let buf = head;
    if (startsWith(buf, UTF8_BOM)) {
      buf = buf.subarray(3);
      emitted = 3;
    }
    yield* check(buf);
  }
  const rest = carry as Buffer | null; // assigned inside check(), which TypeScript's flow analysis does not follow
  if (rest && rest.length) {
    fail(emitted, rest, 0, "encoding", "The file ends in the middle of a UTF-8 character: it is truncated or not UTF-8", SAVE_AS_UTF8);
  }

  function* check(buf: Buffer): Generator<Buffer> {
    const data: Buffer = carry && carry.length ? Buffer.concat([carry, buf]) : buf;
    const nul = data.indexOf(0);
    if (nul !== -1) {
      fail(emitted + nul, data, nul, "binary", "The file contains a NUL byte, so it is binary or UTF-16, not UTF-8 text", `Upload a UTF-8 CSV, TSV or JSONL file. ${SAVE_AS_UTF8}`);
    }
    const tail = incompleteTail(data);
    const body = tail ? data.subarray(0, data.length - tail) : data;
    if (!isUtf8(body)) {
      const at = Math.max(0, firstInvalidUtf8(body));
      const byte = body[at].toString(16).toUpperCase().padStart(2, "0");
      fail(emitted + at, body, at, "encoding", `The file is not valid UTF-8: byte 0x${byte} cannot start or continue a character`, SAVE_AS_UTF8);
    }
    carry = tail ? Buffer.from(data.subarray(data.length - tail)) : null;
    newlines += countNewlines(body);
    emitted += body.length;
    if (body.length) yield body;
  }
}
