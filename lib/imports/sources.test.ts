import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { mkdtemp } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ImportFileError } from "./decode";
import { bufferSource, readPreview, spoolToTempFile } from "./sources";

async function text(source: { open(): AsyncIterable<Uint8Array> }): Promise<string> {
  const parts: Buffer[] = [];
  for await (const b of source.open()) parts.push(Buffer.from(b));
  return Buffer.concat(parts).toString("utf8");
}

describe("sources", () => {
  it("spools a one-shot stream to a file that can be read twice, and removes it afterwards", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "spool-test-"));
    async function* body() {
      yield Buffer.from("id,prompt\n");
      yield Buffer.from("1,hello\n");
    }
    const up = await spoolToTempFile(body(), { maxBytes: 100, name: "x.csv", dir });
    expect(up.source).toMatchObject({ size: 18, name: "x.csv" });
    expect(await text(up.source)).toBe("id,prompt\n1,hello\n");
    expect(await text(up.source)).toBe("id,prompt\n1,hello\n");
    await up.cleanup();
    expect(await readdir(dir)).toEqual([]);
  });

  it("stops spooling at the byte cap and leaves nothing behind", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "spool-test-"));
    let pulled = 0;
    async function* body() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield Buffer.alloc(10, 0x61);
      }
    }
    const err = await spoolToTempFile(body(), { maxBytes: 35, dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as ImportFileError).problem.code).toBe("too_large");
    expect(pulled).toBe(4);
    expect(await readdir(dir)).toEqual([]);
  });

  it("previews the first records without reading the whole file", async () => {
    const rows = ["id,prompt", ...Array.from({ length: 100 }, (_, i) => `${i},p${i}`)].join("\n");
    const p = await readPreview(bufferSource(rows, "f.csv", 16), "csv", { records: 3 });
    expect(p).toEqual({ columns: ["id", "prompt"], samples: [{ id: "0", prompt: "p0" }, { id: "1", prompt: "p1" }, { id: "2", prompt: "p2" }], problem: null });
    const bad = await readPreview(bufferSource(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0])), "csv");
    expect(bad.problem?.code).toBe("binary");
  });
});
