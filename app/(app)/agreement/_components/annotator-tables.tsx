import Link from "next/link";
import type { AnnotatorAgreement, RaterSet } from "@/lib/agreement/data";
import { browseHref } from "@/lib/browse/schema";
import { coef, duration, pct } from "./format";

const th = "px-3 py-2 font-semibold";
const num = "px-3 py-2 text-right tabular-nums";

function fleissText(s: RaterSet): string {
  const f = s.fleiss;
  if (!f.items) return "";
  return `${f.items} items with ${f.raters} labels${f.excluded ? `; ${f.excluded} with another number left out` : ""}`;
}

/** Fleiss' κ and Krippendorff's α overall and per category. */
export function RaterSetTable({ agreement }: { agreement: AnnotatorAgreement }) {
  const rows: { key: string; label: string; set: RaterSet }[] = [
    { key: "all", label: "All categories", set: agreement.overall },
    ...agreement.byCategory.map((c) => ({ key: c.slug, label: c.name, set: c })),
  ];
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid="annotator-categories">
        <caption className="sr-only">Agreement between annotators per category</caption>
        <thead className="bg-slate-100 text-left text-xs text-slate-600">
          <tr>
            <th scope="col" className={th}>Category</th>
            <th scope="col" className={`${th} text-right`}>Responses (≥ 2 labels)</th>
            <th scope="col" className={`${th} text-right`}>Annotators</th>
            <th scope="col" className={`${th} text-right`}>Fleiss&apos; κ</th>
            <th scope="col" className={`${th} text-right`}>Krippendorff&apos;s α</th>
            <th scope="col" className={`${th} text-right`}>Mean pairwise κ</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map(({ key, label, set }) => {
            const kappas = set.pairs.map((p) => p.kappa).filter((k): k is number => k !== null);
            return (
              <tr key={key} data-testid={`annotator-category-${key}`}>
                <th scope="row" className="px-3 py-2 text-left font-medium">{label}</th>
                <td className={num}>{set.items}</td>
                <td className={num}>{set.raters}</td>
                <td className={num} title={fleissText(set)}>
                  {coef(set.fleiss.kappa)}
                  {set.fleiss.excluded ? <span className="block text-[11px] text-slate-500">{fleissText(set)}</span> : null}
                </td>
                <td className={num}>{coef(set.alpha.alpha)}</td>
                <td className={num}>{kappas.length ? coef(kappas.reduce((a, b) => a + b, 0) / kappas.length) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Cohen's κ for every pair of annotators (all categories). */
export function PairTable({ agreement, names }: { agreement: AnnotatorAgreement; names: Record<string, string> }) {
  const pairs = agreement.overall.pairs;
  if (!pairs.length) return <p className="text-sm text-slate-500">No two annotators labelled the same response yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid="annotator-pairs">
        <caption className="sr-only">Cohen&apos;s κ per pair of annotators</caption>
        <thead className="bg-slate-100 text-left text-xs text-slate-600">
          <tr>
            <th scope="col" className={th}>Annotators</th>
            <th scope="col" className={`${th} text-right`}>Shared responses</th>
            <th scope="col" className={`${th} text-right`}>Observed agreement</th>
            <th scope="col" className={`${th} text-right`}>Cohen&apos;s κ</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {pairs.map((p) => (
            <tr key={`${p.a}|${p.b}`}>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                {names[p.a] ?? p.a} · {names[p.b] ?? p.b}
              </th>
              <td className={num}>{p.n}</td>
              <td className={num}>{pct(p.agreement)}</td>
              <td className={num}>{coef(p.kappa)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Per annotator: labels, time per item, agreement with the others' majority. */
export function AnnotatorTable({ agreement }: { agreement: AnnotatorAgreement }) {
  if (!agreement.annotators.length) return <p className="text-sm text-slate-500">No human labels yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid="annotators">
        <caption className="sr-only">Per annotator</caption>
        <thead className="bg-slate-100 text-left text-xs text-slate-600">
          <tr>
            <th scope="col" className={th}>Annotator</th>
            <th scope="col" className={`${th} text-right`}>Labels</th>
            <th scope="col" className={`${th} text-right`}>Median time per item</th>
            <th scope="col" className={`${th} text-right`}>Compared with consensus</th>
            <th scope="col" className={`${th} text-right`}>Agreement with consensus</th>
            <th scope="col" className={`${th} text-right`}>κ with consensus</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {agreement.annotators.map((a) => (
            <tr key={a.id} data-testid={`annotator-${a.id}`}>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                <Link href={browseHref({ annotator: a.id })} className="text-blue-700 hover:underline" title="This annotator's responses in Browse">
                  {a.name}
                </Link>
                <span className="block text-xs font-normal text-slate-500">{a.email}</span>
              </th>
              <td className={num}>{a.labels}</td>
              <td className={num} title={`${a.timed} queue labels with a recorded time`}>
                {duration(a.medianMs)}
                <span className="block text-[11px] text-slate-500">n={a.timed}</span>
              </td>
              <td className={num}>{a.consensus.compared}</td>
              <td className={num}>{pct(a.consensus.agreement)}</td>
              <td className={num}>{coef(a.consensus.kappa)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
