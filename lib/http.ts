// Small helpers for route handlers: bounded JSON bodies and readable validation messages.
import type { z } from "zod";
import { AppError } from "./errors";

export const MAX_JSON_BYTES = 1_000_000;

export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_JSON_BYTES) throw new AppError("bad_request", `Request body too large (${length} bytes; at most ${MAX_JSON_BYTES}).`);
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) throw new AppError("bad_request", `Request body too large (at most ${MAX_JSON_BYTES} bytes).`);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}

/** "field: message; field: message" for every issue. */
export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
