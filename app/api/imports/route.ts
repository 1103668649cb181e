import { apiRoute } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { importUpload } from "@/lib/imports/http";

export const dynamic = "force-dynamic";

/**
 * POST the whole file as the body, with ?options=<JSON ImportOptions: format, mapping, dryRun> and &name=<file name>.
 * Answers with NDJSON events: upload and import progress, then the result (status, counts, every problem with
 * line, field and fix). Nothing is written unless the whole file is valid.
 */
export const POST = apiRoute("/api/imports", async (req, { user }) => {
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
  const events = importUpload(req.body as unknown as AsyncIterable<Uint8Array>, { options: options as never, fileName: name, actorId: user.id, isAdmin: user.role === "admin" }, req.signal);
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
