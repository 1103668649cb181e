"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { columnHelper, DataTable } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import type { BrowseRow } from "@/lib/browse/data";

const tone = (v: string | null) => (v === "complied" ? "red" : v === "noncompliant" ? "green" : v === "partial" ? "amber" : "slate");
const VerdictBadge = ({ v }: { v: string | null }) => (v ? <Badge tone={tone(v)}>{v}</Badge> : <span className="text-slate-400">—</span>);

const COLUMNS = [
  { id: "prompt", label: "Prompt" },
  { id: "response", label: "Response" },
  { id: "where", label: "Category" },
  { id: "run", label: "Model / run" },
  { id: "judge", label: "Judge" },
  { id: "human", label: "Human" },
  { id: "final", label: "Final" },
] as const;
type ColumnId = (typeof COLUMNS)[number]["id"];

export function BrowseTable({ rows }: { rows: BrowseRow[] }) {
  const [hidden, setHidden] = useState<Set<ColumnId>>(new Set());
  const columns = useMemo(() => {
    const c = columnHelper<BrowseRow>();
    const all = {
      prompt: c.accessor("prompt", {
        header: "Prompt",
        cell: (x) => (
          <Link href={`/browse/${x.row.original.id}`} className="prose-text line-clamp-4 block max-w-sm text-blue-800 hover:underline" data-testid="open-response">
            {x.getValue()}
          </Link>
        ),
      }),
      response: c.accessor("response", { header: "Response", cell: (x) => <span className="prose-text line-clamp-4 block max-w-md">{x.getValue()}</span> }),
      where: c.accessor("subcategory", {
        header: "Category",
        cell: (x) => (
          <span className="text-xs">
            {x.row.original.category}
            <br />
            <span className="text-slate-500">{x.getValue()}</span>
            <br />
            <span className="text-slate-500">{x.row.original.expectation === "should_comply" ? "should comply" : "should not comply"}</span>
          </span>
        ),
      }),
      run: c.accessor("run", { header: "Model / run", cell: (x) => <span className="text-xs">{x.row.original.model} · {x.getValue()}</span> }),
      judge: c.accessor("judgeVerdict", { header: "Judge", cell: (x) => <VerdictBadge v={x.getValue()} /> }),
      human: c.accessor("humanFinal", {
        header: "Human",
        cell: (x) => (
          <span className="text-xs">
            <VerdictBadge v={x.getValue()} />
            {x.row.original.humanSource ? <span className="block text-slate-500">{x.row.original.humanSource}</span> : null}
            {x.row.original.humanLabels ? <span className="block text-slate-500">{x.row.original.humanLabels} label(s)</span> : null}
          </span>
        ),
      }),
      final: c.accessor("finalVerdict", { header: "Final", cell: (x) => <VerdictBadge v={x.getValue()} /> }),
    };
    return c.columns(COLUMNS.filter((col) => !hidden.has(col.id)).map((col) => all[col.id]));
  }, [hidden]);

  return (
    <div className="space-y-2">
      <fieldset className="flex flex-wrap gap-3 text-xs text-slate-700">
        <legend className="sr-only">Columns</legend>
        {COLUMNS.map((col) => (
          <label key={col.id} className="flex items-center gap-1">
            <input
              type="checkbox"
              checked={!hidden.has(col.id)}
              onChange={() =>
                setHidden((h) => {
                  const n = new Set(h);
                  if (n.has(col.id)) n.delete(col.id);
                  else n.add(col.id);
                  return n;
                })
              }
            />
            {col.label}
          </label>
        ))}
      </fieldset>
      <DataTable columns={columns} data={rows} getRowId={(r) => r.id} testId="browse-table" caption="Responses" empty="No responses match these filters." />
    </div>
  );
}
