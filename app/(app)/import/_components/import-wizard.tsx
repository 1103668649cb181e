"use client";
import { useState, type ChangeEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { ImportEvent } from "@/lib/imports/http";
import type { ImportProblem } from "@/lib/imports/schema";

type Format = "csv" | "tsv" | "jsonl";
interface Suggestion {
  shape: string;
  mapping: Record<string, unknown>;
  missing: string[];
  notes: string[];
  unused: string[];
}
interface PreviewAnswer {
  columns: string[];
  samples: Record<string, string | null>[];
  problem: ImportProblem | null;
  suggestion: Suggestion;
}
type Result = Extract<ImportEvent, { type: "result" }>["result"];

const PREVIEW_BYTES = 256 * 1024;

function formatOf(name: string): Format {
  const ext = name.toLowerCase().split(".").pop();
  return ext === "tsv" || ext === "tab" ? "tsv" : ext === "jsonl" || ext === "ndjson" ? "jsonl" : "csv";
}

/**
 * Sets a dotted path ("responses.0.model") in a JSON object, creating what is missing. A missing setting is a
 * field source ({ value } or { column }): typing a value makes it `{ value }`, the same for every row.
 */
function setPath(obj: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = path.split(".");
  let cur: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    cur[k] ??= /^\d+$/.test(k) ? [] : {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  cur[last] = last === "value" || last === "column" ? value : { value };
  return copy;
}

export function ImportWizard({ isAdmin }: { isAdmin: boolean }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>("csv");
  const [preview, setPreview] = useState<PreviewAnswer | null>(null);
  const [mappingText, setMappingText] = useState("");
  const [missingValues, setMissingValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ label: string; value: number; max: number } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);

  async function choose(e: ChangeEvent<HTMLInputElement>) {
    const f = e.target.files?.[0] ?? null;
    setFile(f);
    setPreview(null);
    setResult(null);
    setError(null);
    if (!f) return;
    const fmt = formatOf(f.name);
    setFormat(fmt);
    await loadPreview(f, fmt);
  }

  async function loadPreview(f: File, fmt: Format) {
    setBusy(true);
    try {
      // Only the beginning of the file: enough for the header and sample rows (a partial last line is ignored).
      const res = await fetch(`/api/imports/preview?format=${fmt}&name=${encodeURIComponent(f.name)}`, { method: "POST", body: f.slice(0, PREVIEW_BYTES) });
      const body = await res.json();
      if (!res.ok) throw new Error(body?.error?.message ?? `Preview failed (${res.status}).`);
      setPreview(body);
      setMappingText(JSON.stringify(body.suggestion.mapping, null, 2));
      setMissingValues(Object.fromEntries(body.suggestion.missing.map((m: string) => [m, ""])));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  function setMissing(path: string, value: string) {
    setMissingValues((m) => ({ ...m, [path]: value }));
    try {
      setMappingText(JSON.stringify(setPath(JSON.parse(mappingText), path, value), null, 2));
    } catch {
      setError("The mapping below is not valid JSON; fix it first.");
    }
  }

  async function run(dryRun: boolean) {
    if (!file) return;
    let mapping: unknown;
    try {
      mapping = JSON.parse(mappingText);
    } catch (err) {
      setError(`The mapping is not valid JSON: ${(err as Error).message}`);
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    setJobId(null);
    setProgress({ label: "Uploading…", value: 0, max: file.size });
    const options = encodeURIComponent(JSON.stringify({ format, mapping, dryRun }));
    try {
      const res = await fetch(`/api/imports?name=${encodeURIComponent(file.name)}&options=${options}`, { method: "POST", body: file });
      if (!res.ok || !res.body) {
        const body = await res.json().catch(() => null);
        throw new Error(body?.error?.message ?? `The import failed (${res.status}).`);
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as ImportEvent;
          if (ev.type === "upload") setProgress({ label: "Uploading…", value: ev.bytes, max: file.size });
          else if (ev.type === "progress") {
            const label =
              ev.phase === "validating"
                ? `Checking: ${ev.rowsValidated.toLocaleString("en-US")} rows`
                : ev.phase === "writing"
                  ? `Writing: ${ev.rowsWritten.toLocaleString("en-US")} of ${(ev.rowsTotal ?? 0).toLocaleString("en-US")} rows`
                  : "Done";
            setProgress({ label, value: ev.bytesRead, max: ev.bytesTotal ?? file.size });
          } else if (ev.type === "result") {
            setResult(ev.result);
            setProgress({ label: "Done", value: 1, max: 1 });
          } else if (ev.type === "job") {
            setJobId(ev.jobId);
            setProgress({ label: "Uploaded: importing in the background", value: 1, max: 1 });
          } else if (ev.type === "error") setError(ev.message);
        }
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const pct = progress ? Math.round((100 * progress.value) / Math.max(1, progress.max)) : 0;
  return (
    <div className="space-y-4">
      <Card title="1. Choose a file">
        <div className="flex flex-wrap items-end gap-4 text-sm">
          <label className="flex flex-col font-medium">
            File (CSV, TSV or JSONL)
            <input type="file" accept=".csv,.tsv,.tab,.jsonl,.ndjson,text/csv,text/tab-separated-values,application/x-ndjson" onChange={choose} className="mt-1" data-testid="import-file" />
          </label>
          <label className="flex flex-col font-medium">
            Format
            <select
              value={format}
              onChange={(e) => {
                const f = e.target.value as Format;
                setFormat(f);
                if (file) void loadPreview(file, f);
              }}
              className="mt-1 rounded border border-slate-300 px-2 py-1"
            >
              <option value="csv">CSV</option>
              <option value="tsv">TSV</option>
              <option value="jsonl">JSONL</option>
            </select>
          </label>
        </div>
      </Card>

      {preview ? (
        <Card title="2. Check the mapping">
          {preview.problem ? (
            <p role="alert" className="mb-2 text-sm text-red-700">
              {preview.problem.message}. {preview.problem.fix}
            </p>
          ) : null}
          <p className="text-sm" data-testid="import-shape">
            Recognised as: <strong>{preview.suggestion.shape}</strong> · columns: {preview.columns.join(", ")}
          </p>
          <ul className="mt-2 list-disc pl-5 text-sm text-slate-700" data-testid="import-notes">
            {preview.suggestion.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          {preview.suggestion.missing.length ? (
            <div className="mt-3 space-y-2">
              <p className="text-sm font-medium">The file does not say these; fill them in:</p>
              {preview.suggestion.missing.map((m) => (
                <label key={m} className="flex items-center gap-2 text-sm">
                  <span className="w-64 font-mono text-xs">{m}</span>
                  <input value={missingValues[m] ?? ""} onChange={(e) => setMissing(m, e.target.value)} className="rounded border border-slate-300 px-2 py-1" aria-label={m} />
                </label>
              ))}
            </div>
          ) : null}
          <details className="mt-3">
            <summary className="cursor-pointer text-sm font-medium">Sample rows ({preview.samples.length})</summary>
            <div className="mt-2 max-h-64 overflow-auto">
              <table className="text-xs">
                <thead>
                  <tr>
                    {preview.columns.map((c) => (
                      <th key={c} className="border-b px-2 py-1 text-left">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.samples.slice(0, 5).map((s, i) => (
                    <tr key={i}>
                      {preview.columns.map((c) => (
                        <td key={c} className="max-w-xs truncate border-b px-2 py-1">
                          {s[c] ?? ""}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
          <label className="mt-3 block text-sm font-medium">
            Mapping (edit to change which column means what, and how label values map to verdicts)
            <textarea value={mappingText} onChange={(e) => setMappingText(e.target.value)} rows={14} className="mt-1 w-full rounded border border-slate-300 p-2 font-mono text-xs" data-testid="import-mapping" spellCheck={false} />
          </label>
          {!isAdmin ? <p className="text-xs text-slate-600">New subcategories can only be added by an admin; map unknown ones onto the taxonomy instead.</p> : null}
          <div className="mt-3 flex gap-2">
            <Button variant="secondary" disabled={busy} onClick={() => run(true)}>
              Check without writing
            </Button>
            <Button disabled={busy} onClick={() => run(false)}>
              Import
            </Button>
          </div>
        </Card>
      ) : null}

      {progress ? (
        <div className="space-y-1" aria-live="polite">
          <progress value={progress.value} max={Math.max(1, progress.max)} className="h-3 w-full" data-testid="import-progress" />
          <p className="text-sm text-slate-700">
            {progress.label} ({pct}%)
          </p>
        </div>
      ) : null}

      {error ? (
        <p role="alert" data-testid="form-error" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}

      {jobId ? (
        <p role="status" className="rounded border border-blue-200 bg-blue-50 p-3 text-sm text-blue-900" data-testid="import-job">
          A large file: it is being imported as a background job. Follow its progress (and see its problems, if any) on the{" "}
          <a href="/jobs" className="underline">
            Jobs page
          </a>
          ; you can leave this page.
        </p>
      ) : null}
      {result ? (
        <Card title="Result">
          <p className="text-sm" data-testid="import-status">
            Status: <strong>{result.status.replace("_", " ")}</strong>
            {result.status === "written" ? " — the file is imported." : result.status === "dry_run" ? " — everything checked; nothing was written." : " — nothing was written."}
          </p>
          {result.written ? (
            <pre className="mt-2 overflow-auto rounded bg-slate-50 p-2 text-xs" data-testid="import-summary">
              {JSON.stringify(result.written, null, 2)}
            </pre>
          ) : null}
          {result.problems.length ? (
            <div className="mt-2">
              <p className="text-sm font-medium">
                {result.problemCount} problem(s){result.problemCount > result.problems.length ? `, the first ${result.problems.length} shown` : ""}:
              </p>
              <table className="mt-1 text-xs" data-testid="import-problems">
                <thead>
                  <tr className="text-left">
                    <th className="px-2">Line</th>
                    <th className="px-2">Field</th>
                    <th className="px-2">Problem</th>
                    <th className="px-2">What to do</th>
                  </tr>
                </thead>
                <tbody>
                  {result.problems.map((p, i) => (
                    <tr key={i} className="border-t align-top">
                      <td className="px-2">{p.line ?? ""}</td>
                      <td className="px-2 font-mono">{p.field ?? ""}</td>
                      <td className="px-2">
                        {p.message}
                        {p.count && p.count > 1 ? ` (${p.count} rows)` : ""}
                      </td>
                      <td className="px-2">{p.fix}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </Card>
      ) : null}
    </div>
  );
}
