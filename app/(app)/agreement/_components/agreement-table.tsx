import Link from "next/link";
import type { AgreementCell } from "@/lib/agreement/data";
import { coef, pct } from "./format";

export interface AgreementRow {
  key: string;
  label: string;
  detail?: string;
  cell: AgreementCell;
  /** This page narrowed to the row. */
  focusHref: string;
  /** Browse: the row's responses where the judge and the human final verdict differ. */
  disagreeHref: string;
}

/** One row per category, subcategory or run: n, accuracy, κ and a link to the disagreements. */
export function AgreementTable({ rows, heading, testId }: { rows: AgreementRow[]; heading: string; testId: string }) {
  if (!rows.length) return <p className="text-sm text-slate-500">No responses with both verdicts.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid={testId}>
        <caption className="sr-only">Judge against the human final verdict per {heading.toLowerCase()}</caption>
        <thead className="bg-slate-100 text-left text-xs text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2 font-semibold">
              {heading}
            </th>
            <th scope="col" className="px-3 py-2 text-right font-semibold">
              n
            </th>
            <th scope="col" className="px-3 py-2 text-right font-semibold">
              Accuracy
            </th>
            <th scope="col" className="px-3 py-2 text-right font-semibold">
              Cohen&apos;s κ
            </th>
            <th scope="col" className="px-3 py-2 text-right font-semibold">
              Disagreements
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.key} data-testid={`${testId}-${r.key}`}>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                <Link href={r.focusHref} className="text-blue-700 hover:underline" title="Show the confusion matrix of this row">
                  {r.label}
                </Link>
                {r.detail ? <span className="block text-xs font-normal text-slate-500">{r.detail}</span> : null}
              </th>
              <td className="px-3 py-2 text-right tabular-nums">{r.cell.n}</td>
              <td className="px-3 py-2 text-right tabular-nums">{pct(r.cell.accuracy)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{coef(r.cell.kappa)}</td>
              <td className="px-3 py-2 text-right tabular-nums">
                {r.cell.disagreements ? (
                  <Link href={r.disagreeHref} className="text-blue-700 underline" data-testid={`${testId}-${r.key}-disagree`}>
                    {r.cell.disagreements}
                  </Link>
                ) : (
                  0
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
