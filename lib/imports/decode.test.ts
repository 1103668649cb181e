import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstInvalidUtf8, guardBytes, ImportFileError, incompleteTail } from "./decode";

async function* chunks(...parts: (string | number[] | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? Buffer.from(p, "utf8") : Uint8Array.from(p);
}

async function read(input: AsyncIterable<Uint8Array>, maxBytes = 1_000_000): Promise<string> {
  const out: Buffer[] = [];
  for await (const b of guardBytes(input, { maxBytes })) out.push(b);
  return Buffer.concat(out).toString("utf8");
}

async function failure(input: AsyncIterable<Uint8Array>, maxBytes = 1_000_000) {
  try {
    await read(input, maxBytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ImportFileError);
    return (err as ImportFileError).problem;
  }
  throw new Error("expected the file to be refused");
}

describe("guardBytes", () => {
  it("passes UTF-8 through and strips a byte-order mark", async () => {
    expect(await read(chunks([0xef, 0xbb, 0xbf], "id,prompt\r\n", "é,ü\n"))).toBe("id,prompt\r\né,ü\n");
    expect(await read(chunks("a"))).toBe("a"); // shorter than a signature
    expect(await read(chunks([0xef, 0xbb], [0xbf, 0x61]))).toBe("a"); // BOM split across chunks
  });

  it("keeps characters whole when a chunk boundary cuts them", async () => {
    const euro = Buffer.from("x€y", "utf8"); // € is three bytes
    const parts = [euro.subarray(0, 2), euro.subarray(2, 3), euro.subarray(3)];
    const seen: string[] = [];
    for await (const b of guardBytes(chunks(...parts), { maxBytes: 100 })) seen.push(b.toString("utf8"));
    expect(seen.join("")).toBe("x€y");
    expect(seen.every((s) => !s.includes("\uFFFD"))).toBe(true);
  });

  it("accepts any valid UTF-8 however it is split (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 20 }), async (text, sizes) => {
        const bytes = Buffer.from(text.replace(/\u0000/g, ""), "utf8");
        const parts: Uint8Array[] = [];
        let at = 0;
        for (const n of sizes) {
          if (at >= bytes.length) break;
          parts.push(bytes.subarray(at, at + n));
          at += n;
        }
        parts.push(bytes.subarray(at));
        expect(await read(chunks(...parts))).toBe(bytes.toString("utf8").replace(/^\uFEFF/, ""));
      }),
    );
  });

  it("names the byte offset and line of invalid UTF-8 (a Latin-1 file)", async () => {
    const latin1 = Buffer.from("id,prompt\n1,ok\n2,caf\xe9\n", "latin1");
    const p = await failure(chunks(latin1));
    expect(p.code).toBe("encoding");
    expect(p.line).toBe(3);
    expect(p.message).toContain("at byte offset 20, line 3");
    expect(p.message).toContain("0xE9");
    expect(p.fix).toMatch(/UTF-8/);
  });

  it("finds invalid bytes in a later chunk at their file offset", async () => {
    const p = await failure(chunks("line one\nline two\n", [0x41, 0xff, 0x0a]));
    expect(p.line).toBe(3);
    expect(p.message).toContain("byte offset 19");
  });

  it("refuses a file that ends inside a character", async () => {
    const p = await failure(chunks("ok", [0xe2, 0x82]));
    expect(p.code).toBe("encoding");
    expect(p.message).toMatch(/ends in the middle of a UTF-8 character/);
  });

  it("refuses UTF-16, naming it", async () => {
    const p = await failure(chunks(Buffer.from("\uFEFFid,prompt", "utf16le")));
    expect(p).toMatchObject({ code: "encoding" });
    expect(p.message).toContain("UTF-16 (little-endian)");
  });

  it("refuses binary files: NUL bytes, and Excel workbooks by their signature", async () => {
    const nul = await failure(chunks("id,prompt\nab", [0x00], "c\n"));
    expect(nul).toMatchObject({ code: "binary", line: 2 });
    expect(nul.message).toContain("byte offset 12");
    const xlsx = await failure(chunks([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
    expect(xlsx.code).toBe("binary");
    expect(xlsx.message).toMatch(/xlsx/);
    expect(xlsx.fix).toMatch(/CSV UTF-8/);
  });

  it("stops at the byte cap without reading the rest", async () => {
    let pulled = 0;
    async function* big() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.alloc(1000, 0x61);
      }
    }
    const p = await failure(big(), 5_000);
    expect(p.code).toBe("too_large");
    expect(p.message).toContain("5,000 bytes");
    expect(pulled).toBe(6);
  });
});

describe("UTF-8 helpers", () => {
  it("rejects overlong forms, surrogates and code points above U+10FFFF", () => {
    expect(firstInvalidUtf8(Buffer.from("héllo", "utf8"))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong "/"
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // U+D800
    expect(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // U+110000
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0x80]))).toBe(1); // lone continuation byte
  });

  it("measures an incomplete sequence at the end", () => {
    expect(incompleteTail(Buffer.from("ab", "utf8"))).toBe(0);
    expect(incompleteTail(Uint8Array.from([0x61, 0xe2, 0x82]))).toBe(2);
    expect(incompleteTail(Uint8Array.from([0xf0, 0x9f, 0x98]))).toBe(3);
    expect(incompleteTail(Buffer.from("a€", "utf8"))).toBe(0);
  });
});
