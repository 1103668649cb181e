import { Readable } from "node:stream";
import { apiRoute } from "@/lib/auth/session";
import { parseBrowseParams } from "@/lib/browse/schema";
import { getOpenedDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { exportOptionsFromBrowse } from "@/lib/exports/browse";
import { exportFormatSchema } from "@/lib/exports/schema";
import { createExport } from "@/lib/exports/stream";
import { admitExport } from "@/lib/limits/limits";

export const dynamic = "force-dynamic";

/**
 * GET ?format=csv|jsonl|sft|pref plus Browse's filter parameters: a streamed download (backpressure: rows are
 * read from the database only as fast as the client takes them). The export's filters and time are in the
 * X-Abstain-Export header (the same JSON the CLI writes as a .meta.json sidecar).
 */
export const GET = apiRoute("/api/exports", async (req, { user }) => {
  const admission = admitExport(user.id);
  if (!admission.ok) throw admission.error;
  try {
    const params = Object.fromEntries(new URL(req.url).searchParams);
    const format = exportFormatSchema.safeParse(params.format);
    if (!format.success) throw new AppError("bad_request", "format must be one of csv, jsonl, sft, pref.");
    const { format: _f, ...rest } = params;
    const { filter: browse, errors } = parseBrowseParams(rest);
    if (errors.length) throw new AppError("bad_request", errors.join(" "));
    const opened = await getOpenedDb();
    const { filter, judge, ignored } = await exportOptionsFromBrowse(opened.sql, browse);
    const prepared = await createExport(opened, { format: format.data, filter, judge });
    // The slot is held while the download streams: "close" comes when it ends, fails or the client goes away
    // (Readable.toWeb destroys the stream when the response is cancelled).
    prepared.stream.once("close", admission.release);
    const meta = { ...prepared.meta, ignoredBrowseFilters: ignored };
    return new Response(Readable.toWeb(prepared.stream) as ReadableStream, {
      headers: {
        "content-type": prepared.contentType,
        "content-disposition": `attachment; filename="${prepared.fileName}"`,
        "x-abstain-export": encodeURIComponent(JSON.stringify(meta)),
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    admission.release();
    throw err;
  }
});
