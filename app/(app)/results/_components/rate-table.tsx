import Link from "next/link";
import type { Comparison } from "@/lib/metrics/rates";
import type { RateCell, ResultsTable } from "@/lib/results/build";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function shade(rate: number | null): string {
  if (rate === null) return "transparent";
  // 0% white → 100% red: the higher the rate, the worse for both metrics shown here. Capped at a light red so
  // dark text keeps a WCAG AA contrast on every cell.
  return `rgba(220, 38, 38, ${(0.06 + rate * 0.39).toFixed(2)})`;
}

export function cellTitle(cell: RateCell, metric: string): string {
  const r = cell.rate;
  const ci = r.ci ? `95% CI ${pct(r.ci.low)}–${pct(r.ci.high)}` : "no interval";
  return `${metric} ${r.rate === null ? "—" : pct(r.rate)} (${r.k} of ${r.n}), ${ci}. Labels: ${cell.sources.adjudicated} adjudicated, ${cell.sources.consensus} human consensus, ${cell.sources.judge} judge.`;
}

/** Runs × columns; every cell links to Browse with exactly the responses it counts. */
export function RateTable({
  table,
  runLabels,
  href,
  comparison,
  testId,
}: {
  table: ResultsTable;
  runLabels: Record<string, string>;
  href: (runId: string, columnKey: string) => string;
  comparison?: Record<string, Record<string, Comparison>>;
  testId: string;
}) {
  const metric = table.metric === "compliance" ? "Compliance" : "Over-refusal";
  const cols = [...table.columns, { key: "all", label: "All", level: "category" as const, category: "" }];
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid={testId}>
        <caption className="sr-only">{metric} rate per run and column</caption>
        <thead className="bg-slate-100 text-left text-xs text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2 font-semibold">
              Run
            </th>
            {cols.map((c) => (
              <th key={c.key} scope="col" className="px-3 py-2 font-semibold">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {table.rows.map((row) => (
            <tr key={row.runId}>
              <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-medium">
                {runLabels[row.runId] ?? row.runId}
              </th>
              {cols.map((c) => {
                const cell = row.cells[c.key];
                const cmp = comparison?.[row.runId]?.[c.key];
                if (!cell) return <td key={c.key} className="px-3 py-2 text-slate-400">—</td>;
                return (
                  <td key={c.key} className="px-1 py-1" style={{ backgroundColor: shade(cell.rate.rate) }}>
                    <Link
                      href={href(row.runId, c.key)}
                      title={cellTitle(cell, metric)}
                      data-testid={`cell-${row.runId}-${c.key}`}
                      data-n={cell.rate.n}
                      className="block rounded px-2 py-1 hover:outline hover:outline-2 hover:outline-blue-600 focus-visible:outline-2 focus-visible:outline-blue-600"
                    >
                      <span className="font-semibold tabular-nums">{cell.rate.rate === null ? "—" : pct(cell.rate.rate)}</span>
                      <span className="block text-[11px] text-slate-900 tabular-nums">
                        n={cell.rate.n}
                        {cell.rate.ci ? ` · ${pct(cell.rate.ci.low)}–${pct(cell.rate.ci.high)}` : ""}
                      </span>
                      {cmp && cmp.delta !== null ? (
                        <span className={`block text-[11px] tabular-nums ${cmp.significant ? "font-semibold" : "text-slate-800"}`}>
                          Δ {cmp.delta >= 0 ? "+" : ""}
                          {(cmp.delta * 100).toFixed(1)} pts{cmp.significant ? "" : " (n.s.)"}
                        </span>
                      ) : null}
                    </Link>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
