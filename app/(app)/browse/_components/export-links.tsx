import type { BrowseFilter } from "@/lib/browse/schema";

const FORMATS = [
  { format: "csv", label: "CSV" },
  { format: "jsonl", label: "JSONL" },
  { format: "sft", label: "SFT JSONL" },
  { format: "pref", label: "Preference JSONL" },
] as const;

export function ExportLinks({ filter }: { filter: BrowseFilter }) {
  const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
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
      <span className="text-xs text-slate-500">Every response of the selection, all filters applied, in id order.</span>
    </div>
  );
}
