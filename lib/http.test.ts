import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { MAX_JSON_BYTES, readJson } from "./http";

/** A JSON string body of exactly `bytes` bytes. */
const body = (bytes: number) => JSON.stringify("a".repeat(bytes - 2));

/** A chunked request: no Content-Length, as a client streaming its body sends it. */
function chunked(text: string): Request {
  const data = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < data.length; i += 64 * 1024) c.enqueue(data.subarray(i, i + 64 * 1024));
      c.close();
    },
  });
  return new Request("http://x/api", { method: "POST", body: stream, duplex: "half" } as RequestInit);
}

async function refusal(req: Request) {
  const err = await readJson(req).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("readJson body cap (MAX_JSON_BYTES)", () => {
  it("accepts a body of exactly the cap", async () => {
    expect(((await readJson(new Request("http://x/api", { method: "POST", body: body(MAX_JSON_BYTES) }))) as string).length).toBe(MAX_JSON_BYTES - 2);
    expect(((await readJson(chunked(body(MAX_JSON_BYTES)))) as string).length).toBe(MAX_JSON_BYTES - 2);
  });

  it("refuses a declared Content-Length over the cap before reading the body, naming both sizes", async () => {
    const req = new Request("http://x/api", { method: "POST", body: body(MAX_JSON_BYTES + 1), headers: { "content-length": String(MAX_JSON_BYTES + 1) } });
    const err = await refusal(req);
    expect([err.code, err.message]).toEqual(["bad_request", "Request body too large (1000001 bytes; at most 1000000)."]);
    expect(req.bodyUsed).toBe(false);
  });

  it("refuses a body over the cap sent without Content-Length", async () => {
    const err = await refusal(chunked(body(MAX_JSON_BYTES + 1)));
    expect([err.code, err.message]).toEqual(["bad_request", "Request body too large (at most 1000000 bytes)."]);
  });

  it("counts bytes, not characters: two-byte characters over the cap are refused", async () => {
    const text = JSON.stringify("é".repeat(Math.ceil(MAX_JSON_BYTES / 2)));
    expect(text.length).toBeLessThan(MAX_JSON_BYTES);
    expect((await refusal(chunked(text))).message).toBe("Request body too large (at most 1000000 bytes).");
    expect(await readJson(chunked(JSON.stringify("é".repeat(MAX_JSON_BYTES / 2 - 2))))).toHaveLength(MAX_JSON_BYTES / 2 - 2);
  });

  it("stops reading an endless chunked body at the cap", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const req = new Request("http://x/api", { method: "POST", body: endless, duplex: "half" } as RequestInit);
    expect((await refusal(req)).message).toBe("Request body too large (at most 1000000 bytes).");
    expect(pulled).toBeLessThan(MAX_JSON_BYTES + 4 * 64 * 1024);
  });

  it("says when the body is not JSON", async () => {
    expect((await refusal(new Request("http://x/api", { method: "POST", body: "{nope" }))).message).toBe("The request body must be JSON.");
  });
});
