import { apiRoute } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { getDb } from "@/lib/db";
import { importUpload } from "@/lib/imports/http";
import { checkRate } from "@/lib/limits/limits";
import { createImportJob } from "@/lib/jobs/data";
import { nudgeWorkers } from "@/lib/jobs/worker";

export const dynamic = "force-dynamic";

/**
 * POST the whole file as the body, with ?options=<JSON ImportOptions: format, mapping, dryRun> and &name=<file name>.
 * Answers with NDJSON events: upload and import progress, then the result (status, counts, every problem with
 * line, field and fix). Nothing is written unless the whole file is valid. A file larger than
 * IMPORT_BACKGROUND_BYTES (or any file with &background=1) is handed to an import job instead: the last event
 * is then { type: "job", jobId } and the Jobs page (GET /api/jobs/<id>) shows the rest.
 */
export const POST = apiRoute("/api/imports", async (req, { user }) => {
  const refused = checkRate("imports", user.id);
  if (refused) throw refused;
  const url = new URL(req.url);
  let options: unknown;
  try {
    options = JSON.parse(url.searchParams.get("options") ?? "");
  } catch {
    throw new AppError("bad_request", "options must be a JSON object with format and mapping (see lib/imports/schema.ts).");
  }
  if (!options || typeof options !== "object") throw new AppError("bad_request", "options must be a JSON object.");
  if (!req.body) throw new AppError("bad_request", "Send the file as the request body.");
  const name = (url.searchParams.get("name") ?? "upload").slice(0, 200);
  const background = url.searchParams.get("background") === "1";
  const events = importUpload(
    req.body as unknown as AsyncIterable<Uint8Array>,
    { options: options as never, fileName: name, actorId: user.id, isAdmin: user.role === "admin", background },
    req.signal,
    async (job) => {
      const created = await createImportJob(await getDb(), job);
      nudgeWorkers();
      return created;
    },
  );
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await events.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
});
