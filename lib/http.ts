// Small helpers for route handlers: bounded JSON bodies and readable validation messages.
import type { z } from "zod";
import { AppError } from "./errors";

export const MAX_JSON_BYTES = 1_000_000;

export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_JSON_BYTES) throw new AppError("bad_request", `Request body too large (${length} bytes; at most ${MAX_JSON_BYTES}).`);
  const text = await readBoundedText(req, MAX_JSON_BYTES);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}

/**
 * The body as text, counting bytes as they arrive: a body sent without Content-Length (chunked) is cut off
 * at the cap instead of being held in memory whole, and the cap is in bytes, not characters.
 */
async function readBoundedText(req: Request, maxBytes: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new AppError("bad_request", `Request body too large (at most ${maxBytes} bytes).`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** "field: message; field: message" for every issue. */
export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
