// The byte caps of the web import: IMPORT_UPLOAD_MAX_BYTES on uploads, PREVIEW_MAX_BYTES on previews. Both are
// hit before anything is parsed or written, and both answer with a message instead of a server error.
import { rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";

// env() reads process.env once, on first use; this file runs in its own module context.
process.env.IMPORT_UPLOAD_MAX_BYTES = "1000";
const { importUpload, previewUpload, PREVIEW_MAX_BYTES } = await import("./http");

async function* bytes(total: number, chunk = 256) {
  for (let sent = 0; sent < total; sent += chunk) yield Buffer.alloc(Math.min(chunk, total - sent), 0x61);
}

/** The events of one upload of `total` bytes, sent to run in the background so nothing touches a database. */
async function events(total: number) {
  const out = [];
  const input = { options: { format: "csv" as const, mapping: {} as never }, fileName: "big.csv", actorId: "u1", isAdmin: false, background: true };
  const queued: string[] = [];
  for await (const e of importUpload(bytes(total), input, undefined, async (job) => {
    queued.push(job.file);
    await rm(path.dirname(job.file), { recursive: true, force: true });
    return { id: "job1" };
  })) out.push(e);
  return { out, queued };
}

describe("web import byte caps", () => {
  it("an upload over IMPORT_UPLOAD_MAX_BYTES ends with an error event naming the limit and the fix", async () => {
    const { out, queued } = await events(1001);
    expect(queued).toEqual([]);
    expect(out.at(-1)).toEqual({
      type: "error",
      message: "The file is larger than the limit of 1,000 bytes. Split it into smaller files (each is imported all-or-nothing), or use the command-line import.",
    });
  });

  it("an upload of exactly IMPORT_UPLOAD_MAX_BYTES is accepted", async () => {
    const { out, queued } = await events(1000);
    expect(out.at(-1)).toEqual({ type: "job", jobId: "job1" });
    expect(queued).toHaveLength(1);
  });

  it("a preview over PREVIEW_MAX_BYTES is a bad request that says how much it reads", async () => {
    const err = await previewUpload(bytes(PREVIEW_MAX_BYTES + 1, 64 * 1024), "csv", "big.csv").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "bad_request", message: "A preview takes at most the first 4,194,304 bytes of a file; send only its beginning." });
    const ok = await previewUpload((async function* () { yield Buffer.from("id,prompt\n1,hi\n"); })(), "csv", "small.csv");
    expect(ok.columns).toEqual(["id", "prompt"]);
  });
});
