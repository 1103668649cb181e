import type { BrowseFilter } from "@/lib/browse/schema";

const FORMATS = [
  { format: "csv", label: "CSV" },
  { format: "jsonl", label: "JSONL" },
  { format: "sft", label: "SFT JSONL" },
  { format: "pref", label: "Preference JSONL" },
] as const;

// Filters an export cannot apply (it exports by dataset, run, category, subcategory and expectation).
const NOT_EXPORTED: Partial<Record<keyof BrowseFilter, string>> = {
  q: "text search",
  judgeVerdict: "judge verdict",
  humanVerdict: "human verdict",
  finalVerdict: "final verdict",
  disagree: "disagreement",
  annotator: "annotator",
  labelled: "labelled only",
};

export function ExportLinks({ filter }: { filter: BrowseFilter }) {
  const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
  const ignored = Object.entries(NOT_EXPORTED)
    .filter(([k]) => filter[k as keyof BrowseFilter] !== undefined)
    .map(([, label]) => label);
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="export-links">
      <span className="text-slate-700">Export this selection:</span>
      {FORMATS.map((f) => {
        const p = new URLSearchParams(params);
        p.set("format", f.format);
        return (
          <a key={f.format} href={`/api/exports?${p.toString()}`} download className="rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-100">
            {f.label}
          </a>
        );
      })}
      {ignored.length ? <span className="text-xs text-amber-800">Exports include every response of the selection, ignoring: {ignored.join(", ")}.</span> : null}
    </div>
  );
}
