import Link from "next/link";
import type { AgreementCell } from "@/lib/agreement/data";
import type { VerdictName } from "@/lib/metrics/rates";
import { coef, pct } from "./format";

/**
 * Rows: the judge's verdict; columns: the human final verdict. Every non-zero off-diagonal cell links to
 * exactly the responses it counts.
 */
export function ConfusionMatrix({ cell, href }: { cell: AgreementCell; href: (judge: VerdictName, human: VerdictName) => string }) {
  const { labels, counts } = cell.matrix;
  const colTotals = labels.map((_, j) => counts.reduce((s, row) => s + row[j], 0));
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-700" data-testid="matrix-summary">
        n = <span className="font-semibold tabular-nums">{cell.n.toLocaleString("en-US")}</span> · accuracy{" "}
        <span className="font-semibold tabular-nums" data-testid="matrix-accuracy">{pct(cell.accuracy)}</span> · Cohen&apos;s κ{" "}
        <span className="font-semibold tabular-nums" data-testid="matrix-kappa">{coef(cell.kappa)}</span> · disagreements{" "}
        <span className="font-semibold tabular-nums">{cell.disagreements.toLocaleString("en-US")}</span>
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="text-sm" data-testid="confusion-matrix">
          <caption className="sr-only">Judge verdict (rows) against the human final verdict (columns)</caption>
          <thead className="bg-slate-100 text-left text-xs text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">
                Judge ↓ · Human →
              </th>
              {labels.map((l) => (
                <th key={l} scope="col" className="px-3 py-2 text-right font-semibold">
                  {l}
                </th>
              ))}
              <th scope="col" className="px-3 py-2 text-right font-semibold">
                Total
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {labels.map((judge, i) => (
              <tr key={judge}>
                <th scope="row" className="px-3 py-2 text-left font-medium">
                  {judge}
                </th>
                {labels.map((human, j) => {
                  const n = counts[i][j];
                  const id = `cm-${judge}-${human}`;
                  if (i === j) {
                    return (
                      <td key={human} className="bg-green-50 px-3 py-2 text-right tabular-nums" data-testid={id}>
                        {n}
                      </td>
                    );
                  }
                  return (
                    <td key={human} className={`px-1 py-1 text-right tabular-nums ${n ? "bg-red-50" : ""}`}>
                      {n ? (
                        <Link
                          href={href(judge, human)}
                          data-testid={id}
                          title={`${n} responses the judge called ${judge} and the humans ${human}: open them in Browse`}
                          className="block rounded px-2 py-1 text-blue-700 underline hover:outline hover:outline-2 hover:outline-blue-600"
                        >
                          {n}
                        </Link>
                      ) : (
                        <span className="block px-2 py-1 text-slate-400" data-testid={id}>
                          0
                        </span>
                      )}
                    </td>
                  );
                })}
                <td className="px-3 py-2 text-right tabular-nums text-slate-600">{counts[i].reduce((a, b) => a + b, 0)}</td>
              </tr>
            ))}
            <tr className="bg-slate-50">
              <th scope="row" className="px-3 py-2 text-left font-medium">
                Total
              </th>
              {colTotals.map((n, j) => (
                <td key={labels[j]} className="px-3 py-2 text-right tabular-nums text-slate-600">
                  {n}
                </td>
              ))}
              <td className="px-3 py-2 text-right tabular-nums font-semibold">{cell.n}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}
