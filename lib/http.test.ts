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

  it("says when the body is not JSON", async () => {
    expect((await refusal(new Request("http://x/api", { method: "POST", body: "{nope" }))).message).toBe("The request body must be JSON.");
  });
});
