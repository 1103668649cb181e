// The web side of imports: turning an HTTP upload into an import with progress events. Used by
// app/api/imports (the upload page and scripts calling the HTTP endpoint).
import { env } from "../env";
import { isDatabaseUnavailable } from "../errors";
import { AppError } from "../errors";
import { ImportFileError } from "./decode";
import { getImportTarget, runImport, type ImportResult } from "./import";
import { importFormatSchema, type ImportFormat, type ImportOptionsInput, type ImportProgress } from "./schema";
import { readPreview, spoolToTempFile, type Preview } from "./sources";
import { suggestMapping, type MappingSuggestion } from "./suggest";

/** Events of POST /api/imports, one JSON object per line (NDJSON), the last one `result` or `error`. */
export type ImportEvent =
  | { type: "upload"; bytes: number }
  | ({ type: "progress" } & ImportProgress)
  | { type: "result"; result: ImportResult }
  /** The upload was large (or asked to run in the background): it continues as a job on the Jobs page. */
  | { type: "job"; jobId: string }
  | { type: "error"; message: string };

export function formatFromName(name: string): ImportFormat | null {
  const ext = name.toLowerCase().split(".").pop() ?? "";
  return ext === "csv" ? "csv" : ext === "tsv" || ext === "tab" ? "tsv" : ext === "jsonl" || ext === "ndjson" ? "jsonl" : null;
}

export function parseFormat(value: string | null): ImportFormat | null {
  const f = importFormatSchema.safeParse(value);
  return f.success ? f.data : null;
}

/** Bytes a preview reads at most: the header and 20 records, with room for long responses. */
export const PREVIEW_MAX_BYTES = 4 * 1024 * 1024;

/** Preview and mapping suggestion from the first bytes of a file (the page sends a slice, not the whole file). */
export async function previewUpload(body: AsyncIterable<Uint8Array>, format: ImportFormat, name: string): Promise<Preview & { suggestion: MappingSuggestion }> {
  const spooled = await spoolToTempFile(body, { maxBytes: PREVIEW_MAX_BYTES, name }).catch((err: unknown) => {
    if (err instanceof ImportFileError && err.problem.code === "too_large") {
      throw new AppError("bad_request", `A preview takes at most the first ${PREVIEW_MAX_BYTES.toLocaleString("en")} bytes of a file; send only its beginning.`);
    }
    throw err;
  });
  try {
    const preview = await readPreview(spooled.source, format, { records: 20 });
    return { ...preview, suggestion: suggestMapping(preview.columns, { samples: preview.samples }) };
  } finally {
    await spooled?.cleanup();
  }
}

/**
 * Spools the upload to a temporary file (the import reads it twice), then imports it, sending events as it goes.
 * The caller's options are taken as given except the ones the server decides: size cap, actor, permissions.
 */
export async function* importUpload(
  body: AsyncIterable<Uint8Array>,
  input: { options: ImportOptionsInput; fileName: string; actorId: string; isAdmin: boolean; background?: boolean },
  signal?: AbortSignal,
  queueJob?: (job: { file: string; fileName: string; options: ImportOptionsInput; actorId: string }) => Promise<{ id: string }>,
): AsyncGenerator<ImportEvent> {
  const maxBytes = env().IMPORT_UPLOAD_MAX_BYTES;
  const events: ImportEvent[] = [];
  let bytes = 0;
  let lastSent = 0;
  async function* counted() {
    for await (const chunk of body) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  let spooled;
  try {
    const spooling = spoolToTempFile(counted(), { maxBytes, name: input.fileName });
    // Report upload progress while the body arrives.
    let done = false;
    spooling.finally(() => (done = true)).catch(() => {});
    while (!done) {
      await new Promise((r) => setTimeout(r, 100));
      if (bytes !== lastSent) {
        lastSent = bytes;
        yield { type: "upload", bytes };
      }
    }
    spooled = await spooling;
  } catch (err) {
    yield { type: "error", message: err instanceof ImportFileError ? `${err.problem.message}. ${err.problem.fix}` : "The upload failed before the import started." };
    return;
  }
  try {
    const options: ImportOptionsInput = {
      ...input.options,
      maxBytes,
      actorId: input.actorId,
      fileName: input.fileName,
      permissions: { createSubcategories: input.isAdmin, createAnnotators: true },
    };
    // A large file (or one sent with background=1) becomes an import job: the worker reads the spooled
    // file, the request ends now, and the Jobs page shows progress. Dry runs answer in the request.
    const large = (spooled.source.size ?? 0) > env().IMPORT_BACKGROUND_BYTES;
    if (queueJob && !input.options.dryRun && (input.background || large)) {
      const job = await queueJob({ file: spooled.file, fileName: input.fileName, options, actorId: input.actorId });
      spooled = undefined; // the job owns the file now
      yield { type: "job", jobId: job.id };
      return;
    }
    let finished = false;
    const run = runImport(await getImportTarget(), spooled.source, options, { signal, onProgress: (p) => events.push({ type: "progress", ...p }) }).finally(() => (finished = true));
    run.catch(() => {});
    while (!finished) {
      await new Promise((r) => setTimeout(r, 100));
      while (events.length) yield events.shift()!;
    }
    while (events.length) yield events.shift()!;
    yield { type: "result", result: await run };
  } catch (err) {
    // The write is one transaction: whatever stopped it, the database rolled it back.
    const message = isDatabaseUnavailable(err)
      ? "The database became unreachable during the import, so nothing was written. Import the file again once the database is back."
      : `The import stopped and nothing was written: ${(err as Error).message}`;
    yield { type: "error", message };
  } finally {
    await spooled?.cleanup();
  }
}
