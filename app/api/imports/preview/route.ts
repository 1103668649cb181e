import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { parseFormat, previewUpload } from "@/lib/imports/http";
import { checkRate } from "@/lib/limits/limits";

export const dynamic = "force-dynamic";

/** POST the first bytes of a file (?format=csv|tsv|jsonl&name=…): columns, sample rows and a suggested mapping. */
export const POST = apiRoute("/api/imports/preview", async (req, { user }) => {
  const refused = checkRate("imports", user.id);
  if (refused) throw refused;
  const url = new URL(req.url);
  const format = parseFormat(url.searchParams.get("format"));
  if (!format) throw new AppError("bad_request", "format must be csv, tsv or jsonl.");
  if (!req.body) throw new AppError("bad_request", "Send the beginning of the file as the request body.");
  const name = (url.searchParams.get("name") ?? "upload").slice(0, 200);
  return NextResponse.json(await previewUpload(req.body as unknown as AsyncIterable<Uint8Array>, format, name));
});
