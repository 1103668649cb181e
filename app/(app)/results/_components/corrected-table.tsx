import type { CorrectedRateRow } from "@/lib/agreement/data";

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);
const STATUS = { ok: "", no_labels: "no judge labels", insufficient_sample: "too few human labels" } as const;

/**
 * The judge's raw compliance rate next to the rate corrected by the human-labelled sample (what humans
 * said about responses the judge gave each verdict), per subcategory of one run.
 */
export function CorrectedTable({ rows, names }: { rows: CorrectedRateRow[]; names: Record<string, { subcategory: string; category: string }> }) {
  return (
    <table className="w-full text-sm" data-testid="corrected-table">
      <thead className="text-left text-xs uppercase text-slate-500">
        <tr>
          <th className="py-1">Subcategory</th>
          <th>Expectation</th>
          <th>Judge rate (95% Wilson)</th>
          <th>Corrected (95% bootstrap)</th>
          <th>Human sample</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.subcategoryId}|${r.expectation}`} className="border-t border-slate-100" data-testid="corrected-row">
            <td className="py-1">
              {names[r.subcategoryId]?.category} · {names[r.subcategoryId]?.subcategory ?? r.subcategoryId}
            </td>
            <td>{r.expectation === "should_comply" ? "should comply" : "should not comply"}</td>
            <td className="tabular-nums">
              {pct(r.raw.rate)} <span className="text-xs text-slate-500">[{pct(r.raw.ci?.low)}, {pct(r.raw.ci?.high)}] n={r.raw.n}</span>
            </td>
            <td className="tabular-nums" data-testid="corrected-value">
              {r.status === "ok" ? (
                <>
                  <strong>{pct(r.corrected)}</strong> <span className="text-xs text-slate-500">[{pct(r.interval?.low)}, {pct(r.interval?.high)}]</span>
                </>
              ) : (
                <span className="text-slate-500">{STATUS[r.status]}</span>
              )}
            </td>
            <td className="tabular-nums text-xs">
              {r.sample.n} ({r.sample.adjudicated} adjudicated, {r.sample.consensus} consensus)
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
