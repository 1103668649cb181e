// The import, end to end: validate every row (pass 1), then write all of them in one transaction (pass 2).
// What the upload page, the HTTP route and scripts/import.ts call.
//
//   const report = await validateImport(target, source, options, { onProgress });   // preview: nothing written
//   const result = await runImport(target, source, options, { onProgress, signal }); // validate, then write
//
// Two passes, bounded memory: rows are never all held in memory, so the file is read twice; `source.open()`
// must return the same bytes both times (a file, or an upload spooled with spoolToTempFile). The second pass
// checks the SHA-256 and record count against the first and rolls back if the file changed in between.
import { createHash } from "node:crypto";
import { guardBytes, ImportFileError } from "./decode";
import { FileChanged, getImportTarget, loadImportContext, writeImport, type ImportTarget, type WriteSummary } from "./data";
import type { NormalizedRow } from "./normalize";
import { parseRecords } from "./parse";
import {
  importOptionsSchema,
  type ImportOptions,
  type ImportOptionsInput,
  type ImportProblem,
  type ImportProgress,
} from "./schema";
import type { ImportSource } from "./sources";
import type { UserResolution } from "./users";
import { Validator, type ValidationReport } from "./validate";

export type { ImportTarget, WriteSummary, ValidationReport, ImportSource };
export { getImportTarget };

export interface ImportHooks {
  /** Called at most every 100 ms, and at every phase change. */
  onProgress?: (p: ImportProgress) => void;
  /** Aborting stops reading; during the write pass the transaction is rolled back. */
  signal?: AbortSignal;
}

export type ImportStatus = "written" | "dry_run" | "invalid" | "conflicts";

export interface ImportResult {
  /**
   * written: committed. dry_run: everything checked and written, then rolled back (the counts say what would
   * change). invalid: validation found problems, nothing was written. conflicts: stored rows differ from the
   * file (or the file changed while importing), rolled back.
   */
  status: ImportStatus;
  /** What stopped the import (status invalid or conflicts), at most maxProblems, in file order. */
  problems: ImportProblem[];
  problemCount: number;
  validation: ValidationReport;
  /** Counts (created / unchanged) and what was created; null when nothing got as far as writing. */
  written: WriteSummary | null;
  timings: { validateMs: number; writeMs: number };
}

/** The options, or the problems of an invalid mapping / option object, each naming its field. */
export function parseImportOptions(input: ImportOptionsInput): { ok: true; options: ImportOptions } | { ok: false; problems: ImportProblem[] } {
  const parsed = importOptionsSchema.safeParse(input);
  if (parsed.success) return { ok: true, options: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => ({
      code: "mapping" as const,
      field: i.path.join(".") || undefined,
      message: i.message,
      fix: "Correct the mapping on screen (or the --mapping file) and try again.",
    })),
  };
}

class ProgressReporter {
  private last = 0;
  state: ImportProgress;
  constructor(
    private readonly cb: ((p: ImportProgress) => void) | undefined,
    bytesTotal: number | null,
  ) {
    this.state = { phase: "validating", bytesRead: 0, bytesTotal, rowsValidated: 0, rowsWritten: 0, rowsTotal: null };
  }
  update(patch: Partial<ImportProgress>, force = false) {
    Object.assign(this.state, patch);
    const now = performance.now();
    if (this.cb && (force || now - this.last >= 100)) {
      this.last = now;
      this.cb({ ...this.state });
    }
  }
}

function checkAbort(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("The import was cancelled.");
}

/** Wraps a byte source to hash and count what is read. */
async function* tap(input: AsyncIterable<Uint8Array>, seen: (b: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const b of input) {
    seen(b);
    yield b;
  }
}

function emptyReport(problems: ImportProblem[]): ValidationReport {
  return {
    ok: false,
    problems,
    problemCount: problems.length,
    records: 0,
    validRecords: 0,
    responses: 0,
    emptyResponses: 0,
    bytes: 0,
    sha256: "",
    columns: [],
    datasets: [],
    runs: [],
    judges: [],
    people: [],
    unknownSubcategories: [],
    values: {},
  };
}

async function validatePass(target: ImportTarget, source: ImportSource, opts: ImportOptions, hooks: ImportHooks, progress: ProgressReporter) {
  const ctx = await loadImportContext(target);
  const validator = new Validator(opts.mapping, ctx, opts.permissions, opts.maxProblems);
  const hash = createHash("sha256");
  let bytes = 0;
  let fatal: ImportProblem | null = null;
  progress.update({ phase: "validating" }, true);
  try {
    const input = tap(source.open(), (b) => {
      hash.update(b);
      bytes += b.length;
    });
    const events = parseRecords(guardBytes(input, { maxBytes: opts.maxBytes, onBytes: (n) => progress.update({ bytesRead: n }) }), opts.format, {
      maxRecordBytes: opts.maxRecordBytes,
    });
    for await (const ev of events) {
      validator.add(ev);
      if ((validator.records & 255) === 0) {
        checkAbort(hooks.signal);
        progress.update({ rowsValidated: validator.records });
      }
    }
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    fatal = err.problem;
  }
  const { report, users } = validator.finish(bytes, hash.digest("hex"));
  if (fatal) {
    report.problems = [fatal, ...report.problems].slice(0, opts.maxProblems);
    report.problemCount++;
    report.ok = false;
  }
  progress.update({ rowsValidated: validator.records, rowsTotal: report.records }, true);
  return { report, users, validator };
}

/** Pass 1 only: every problem of the file, and what an import would find or create. Writes nothing. */
export async function validateImport(target: ImportTarget, source: ImportSource, input: ImportOptionsInput, hooks: ImportHooks = {}): Promise<ValidationReport> {
  const parsed = parseImportOptions(input);
  if (!parsed.ok) return emptyReport(parsed.problems);
  const progress = new ProgressReporter(hooks.onProgress, source.size ?? null);
  const { report } = await validatePass(target, source, parsed.options, hooks, progress);
  progress.update({ phase: "done" }, true);
  return report;
}

/**
 * Validates, then writes in one transaction (or, with dryRun, writes and rolls back). Returns the outcome;
 * throws only for unexpected failures (database down, cancelled), after rolling back.
 */
export async function runImport(target: ImportTarget, source: ImportSource, input: ImportOptionsInput, hooks: ImportHooks = {}): Promise<ImportResult> {
  const started = performance.now();
  const parsed = parseImportOptions(input);
  if (!parsed.ok) {
    return { status: "invalid", problems: parsed.problems, problemCount: parsed.problems.length, validation: emptyReport(parsed.problems), written: null, timings: { validateMs: 0, writeMs: 0 } };
  }
  const opts = parsed.options;
  const progress = new ProgressReporter(hooks.onProgress, source.size ?? null);
  const { report, users, validator } = await validatePass(target, source, opts, hooks, progress);
  const validateMs = performance.now() - started;
  if (!report.ok) {
    progress.update({ phase: "done" }, true);
    return { status: "invalid", problems: report.problems, problemCount: report.problemCount, validation: report, written: null, timings: { validateMs, writeMs: 0 } };
  }

  const writeStarted = performance.now();
  progress.update({ phase: "writing", bytesRead: 0 }, true);
  const normalizer = validator.normalizerForWrite;
  const hash = createHash("sha256");
  let records = 0;
  async function* rows(): AsyncGenerator<NormalizedRow> {
    const input = tap(source.open(), (b) => hash.update(b));
    const events = parseRecords(guardBytes(input, { maxBytes: opts.maxBytes, onBytes: (n) => progress.update({ bytesRead: n }) }), opts.format, {
      maxRecordBytes: opts.maxRecordBytes,
    });
    try {
      for await (const ev of events) {
        if (ev.kind === "columns") continue;
        records++;
        if (ev.kind === "problem") throw new FileChanged(ev.problem.line ?? 0);
        const out = normalizer.normalize(ev);
        if (!out.ok) throw new FileChanged(ev.line);
        if ((records & 255) === 0) checkAbort(hooks.signal);
        yield out.row;
      }
    } catch (err) {
      if (err instanceof ImportFileError) throw new FileChanged(err.problem.line ?? 0);
      throw err;
    }
  }
  const changed = (line?: number): ImportProblem => ({
    code: "file_changed",
    line,
    message: "The file read for writing is not the file that was validated (it changed in between)",
    fix: "Nothing was written. Run the import again, and do not modify the file while it runs.",
  });
  const plan = { ...validator.plan(), users: users as Map<string, UserResolution>, createSubcategories: opts.mapping.createSubcategories };
  try {
    const outcome = await writeImport(target, plan, rows(), {
      dryRun: opts.dryRun,
      loader: opts.loader,
      flushRows: opts.chunkRows,
      maxProblems: opts.maxProblems,
      fileName: source.name ?? opts.fileName,
      actorId: opts.actorId,
      sha256: report.sha256,
      onFlushed: (n) => progress.update({ rowsWritten: n }),
      verify: () => (hash.digest("hex") === report.sha256 && records === report.records ? [] : [changed()]),
    });
    const writeMs = performance.now() - writeStarted;
    progress.update({ phase: "done", rowsWritten: outcome.conflictCount ? 0 : records }, true);
    if (outcome.conflictCount) {
      return { status: "conflicts", problems: outcome.conflicts, problemCount: outcome.conflictCount, validation: report, written: outcome.summary, timings: { validateMs, writeMs } };
    }
    return { status: opts.dryRun ? "dry_run" : "written", problems: [], problemCount: 0, validation: report, written: outcome.summary, timings: { validateMs, writeMs } };
  } catch (err) {
    if (!(err instanceof FileChanged)) throw err;
    progress.update({ phase: "done", rowsWritten: 0 }, true);
    const p = [changed(err.line || undefined)];
    return { status: "conflicts", problems: p, problemCount: 1, validation: report, written: null, timings: { validateMs, writeMs: performance.now() - writeStarted } };
  }
}
