// Import jobs: a file on this machine's disk (an upload spooled by the server) through lib/imports runImport.
//
// An import is all-or-nothing (one transaction, see lib/imports/import.ts), so it has no cursor: an import
// interrupted by a crash or restart left nothing behind and runs again from the start, and importing the same
// file twice changes nothing. Progress is the record count of the current pass (validating, then writing), saved
// at most twice a second; a cancel aborts the import, which rolls back.
import { access, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { runImport, type ImportTarget } from "../../imports/import";
import type { ImportOptionsInput, ImportProgress } from "../../imports/schema";
import { fileSource } from "../../imports/sources";
import { importParamsSchema } from "../schema";
import { JobFailure, JobStop, type JobContext } from "../worker";

const REPORT_EVERY_MS = 500;

export async function importHandler(ctx: JobContext): Promise<unknown> {
  const params = importParamsSchema.parse(ctx.job.params);
  try {
    await access(params.file);
  } catch {
    throw new Error(
      `The uploaded file ${params.fileName} is not on this worker's disk (${params.file}): import jobs must run on the machine that received the upload. Upload it again.`,
    );
  }
  let ended = false;
  try {
    const target: ImportTarget = { db: ctx.opened.db, kind: ctx.opened.kind, url: ctx.services.databaseUrl };
    const source = { ...(await fileSource(params.file)), name: params.fileName };
    const options = { ...(params.options as ImportOptionsInput), fileName: params.fileName, actorId: (params.options.actorId as string | null | undefined) ?? ctx.job.createdById };

    // Progress goes out one update at a time, the newest winning: the import never waits for the job table.
    let latest: ImportProgress | null = null;
    let lastSent = 0;
    let sending: Promise<void> | null = null;
    const send = () => {
      if (sending || !latest) return;
      const p = latest;
      latest = null;
      lastSent = performance.now();
      const rows = p.phase === "validating" ? p.rowsValidated : p.rowsWritten;
      // While validating, the record count is estimated from the bytes read so far.
      const total = p.rowsTotal ?? (p.bytesTotal && p.bytesRead ? Math.max(rows, Math.round((rows * p.bytesTotal) / p.bytesRead)) : 0);
      sending = ctx
        .report({ done: Math.min(rows, total || rows), failed: 0, cursor: null, total })
        .catch((err) => {
          if (!(err instanceof JobStop)) ctx.log.warn({ err: (err as Error).message }, "import progress not saved");
        })
        .finally(() => {
          sending = null;
        });
    };
    const result = await runImport(target, source, options, {
      signal: ctx.signal,
      onProgress: (p) => {
        latest = p;
        if (performance.now() - lastSent >= REPORT_EVERY_MS || p.phase === "done") send();
      },
    });
    while (sending) await sending;
    ctx.checkpoint();
    const summary = {
      status: result.status,
      records: result.validation.records,
      problemCount: result.problemCount,
      problems: result.problems.slice(0, 20),
      written: result.written,
      timings: result.timings,
    };
    if (result.status === "invalid" || result.status === "conflicts") {
      const first = result.problems[0];
      ended = true;
      throw new JobFailure(
        `Nothing was imported: ${result.problemCount} problem${result.problemCount === 1 ? "" : "s"}` +
          (first ? `, the first: ${first.line ? `line ${first.line}: ` : ""}${first.message}. ${first.fix}` : "."),
        summary,
      );
    }
    await ctx.report({ done: result.validation.records, failed: 0, cursor: null, total: result.validation.records });
    ended = true;
    return summary;
  } catch (err) {
    if (ctx.signal.aborted && (ctx.signal.reason as JobStop | undefined)?.reason === "cancelled") ended = true;
    throw err;
  } finally {
    // The file goes when the job has its outcome. A worker stopping, a lost lease or an unexpected error keeps
    // it: the job runs again (here or after its lease expires) and needs it.
    if (ended && params.deleteFile) await removeSpooled(params.file);
  }
}

/** Removes the file and, when it was the only thing in it, its directory (spoolToTempFile makes one per upload). */
async function removeSpooled(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => {});
  if (path.basename(path.dirname(file)).startsWith("abstain-import-")) await rmdir(path.dirname(file)).catch(() => {});
}
