import Link from "next/link";
import type { BrowseFilter } from "@/lib/browse/schema";

/** What else can be done with exactly this selection: label it by hand or by a judge. */
export function SelectionActions({ filter }: { filter: BrowseFilter }) {
  const { after: _after, sort: _sort, ...rest } = filter;
  const query = new URLSearchParams(Object.entries(rest).filter(([, v]) => v !== undefined) as [string, string][]).toString();
  const browse = encodeURIComponent(query);
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="selection-actions">
      <span className="text-slate-700">Label this selection:</span>
      <Link href={`/queues?browse=${browse}`} className="rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-100">
        Create an annotation queue
      </Link>
      <Link href={`/jobs?browse=${browse}`} className="rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-100">
        Run a judge
      </Link>
    </div>
  );
}
