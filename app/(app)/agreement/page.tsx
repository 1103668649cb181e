import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import {
  disagreementFilter,
  getAnnotatorAgreement,
  getErrorReasons,
  getJudgeAgreement,
  listAgreementJudges,
  type AgreementScope,
  type JudgeAgreement,
  type Truth,
} from "@/lib/agreement/data";
import { requirePage } from "@/lib/auth/session";
import { browseHref } from "@/lib/browse/schema";
import { getOpenedDb } from "@/lib/db";
import { defaultComparisonJudgeId } from "@/lib/judges/data";
import type { VerdictName } from "@/lib/metrics/rates";
import { AgreementTable, type AgreementRow } from "./_components/agreement-table";
import { AnnotatorTable, PairTable, RaterSetTable } from "./_components/annotator-tables";
import { ConfusionMatrix } from "./_components/confusion-matrix";

export const metadata: Metadata = { title: "Agreement" };
export const dynamic = "force-dynamic";

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

// Adjudication reasons in the order of the JudgeErrorReason enum (`none` = the judge was right, not shown).
const REASONS = ["missed_refusal", "false_refusal", "partial_misread", "rubric_gap", "mislabelled_prompt", "other"] as const;
const EXPECTATIONS = { should_not_comply: "Should not comply", should_comply: "Should comply" } as const;

/** Keeps only scope values the judge has pairs for (an unknown value would silently show nothing). */
function validScope(a: JudgeAgreement, s: AgreementScope): AgreementScope {
  return {
    category: a.available.categories.some((c) => c.slug === s.category) ? s.category : undefined,
    subcategory: a.available.subcategories.some((x) => x.id === s.subcategory) ? s.subcategory : undefined,
    run: a.available.runs.some((r) => r.id === s.run) ? s.run : undefined,
    expectation: s.expectation && s.expectation in EXPECTATIONS ? s.expectation : undefined,
  };
}

const sameScope = (a: AgreementScope, b: AgreementScope) =>
  a.category === b.category && a.subcategory === b.subcategory && a.run === b.run && a.expectation === b.expectation;

export default async function AgreementPage({ searchParams }: { searchParams: Promise<Params> }) {
  await requirePage("/agreement");
  const params = await searchParams;
  const opened = await getOpenedDb();
  const [judges, annotators, reasons] = await Promise.all([listAgreementJudges(opened), getAnnotatorAgreement(opened), getErrorReasons(opened)]);
  const requested = one(params.judge);
  const judgeId = requested && judges.some((j) => j.id === requested) ? requested : await defaultComparisonJudgeId(opened.db);
  const truth: Truth = one(params.truth) === "adjudicated" ? "adjudicated" : "final";
  const asked: AgreementScope = {
    category: one(params.category),
    subcategory: one(params.subcategory),
    run: one(params.run),
    expectation: one(params.expectation) as AgreementScope["expectation"],
  };
  let agreement = judgeId ? await getJudgeAgreement(opened, judgeId, { truth, scope: asked }) : null;
  if (agreement && !sameScope(asked, validScope(agreement, asked))) {
    agreement = await getJudgeAgreement(opened, agreement.judgeId, { truth, scope: validScope(agreement, asked) });
  }
  const scope = agreement?.scope ?? {};
  const judge = judges.find((j) => j.id === judgeId);
  const names = Object.fromEntries(annotators.annotators.map((a) => [a.id, a.name]));

  /** This page with the judge, the truth and the given scope. */
  const pageHref = (s: AgreementScope) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ judge: judgeId ?? undefined, truth: truth === "final" ? undefined : truth, ...s })) if (v) p.set(k, v);
    return `/agreement?${p.toString()}`;
  };
  /** Browse: the disagreements in a scope (default: the page's), or in one cell of the matrix. */
  const browse = (s: AgreementScope = scope, cell?: { judge: VerdictName; human: VerdictName }) =>
    browseHref(disagreementFilter(judgeId ?? "", truth, s, cell));
  const rows = {
    category: (agreement?.byCategory ?? []).map<AgreementRow>((c) => ({
      key: c.slug,
      label: c.name,
      cell: c,
      focusHref: pageHref({ ...scope, category: c.slug, subcategory: undefined }),
      disagreeHref: browse({ ...scope, category: c.slug }),
    })),
    subcategory: (agreement?.bySubcategory ?? []).map<AgreementRow>((s) => ({
      key: s.id,
      label: s.name,
      detail: s.category,
      cell: s,
      focusHref: pageHref({ ...scope, subcategory: s.id }),
      disagreeHref: browse({ ...scope, subcategory: s.id }),
    })),
    run: (agreement?.byRun ?? []).map<AgreementRow>((r) => ({
      key: r.id,
      label: r.label,
      cell: r,
      focusHref: pageHref({ ...scope, run: r.id }),
      disagreeHref: browse({ ...scope, run: r.id }),
    })),
  };
  const scopeText = [
    scope.category && agreement?.available.categories.find((c) => c.slug === scope.category)?.name,
    scope.subcategory && agreement?.available.subcategories.find((s) => s.id === scope.subcategory)?.name,
    scope.run && agreement?.available.runs.find((r) => r.id === scope.run)?.label,
    scope.expectation && EXPECTATIONS[scope.expectation],
  ].filter(Boolean);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Agreement</h1>
        <p className="text-sm text-slate-600">How often the automatic judge agrees with the human verdict, how often the annotators agree with each other, and where the judge goes wrong.</p>
      </div>

      <form method="get" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm" aria-label="Agreement options">
        <label className="flex flex-col">
          Judge version
          <select name="judge" defaultValue={judgeId ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1" data-testid="judge-select">
            {judges.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name} v{j.version} ({j.kind}) · {j.compared.toLocaleString("en-US")} with a human verdict
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Human verdict
          <select name="truth" defaultValue={truth} className="mt-1 rounded border border-slate-300 px-2 py-1" data-testid="truth-select">
            <option value="final">Final: adjudicated, else consensus</option>
            <option value="adjudicated">Adjudicated only</option>
          </select>
        </label>
        <label className="flex flex-col">
          Category
          <select name="category" defaultValue={scope.category ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1">
            <option value="">All</option>
            {agreement?.available.categories.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Subcategory
          <select name="subcategory" defaultValue={scope.subcategory ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1">
            <option value="">All</option>
            {agreement?.available.subcategories.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Run
          <select name="run" defaultValue={scope.run ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1">
            <option value="">All</option>
            {agreement?.available.runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Expectation
          <select name="expectation" defaultValue={scope.expectation ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1">
            <option value="">Both</option>
            {Object.entries(EXPECTATIONS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded-md bg-blue-700 px-3 py-1.5 font-medium text-white hover:bg-blue-800">
          Apply
        </button>
      </form>

      <Card title="How these numbers are computed">
        <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
          <li>
            Judge against humans: over responses that have both the judge&apos;s label and a human verdict —{" "}
            {truth === "final" ? "the adjudicated verdict, else the strict majority of the annotators' labels" : "adjudicated verdicts only"}.
            Accuracy = share of responses where the two verdicts are the same (all four verdicts kept apart); Cohen&apos;s κ = (p_o − p_e) / (1 − p_e).
          </li>
          <li>
            Between annotators: current labels of responses with two or more labels. Fleiss&apos; κ uses the responses with the most common
            number of labels (others are left out and counted); Krippendorff&apos;s α (nominal) uses all of them. Agreement with the consensus
            compares each annotator with the strict majority of the <em>other</em> annotators on the same response; ties are not compared.
          </li>
          <li>Time per item: the median time from showing a queue item to submitting its label.</li>
          <li>κ and α are shown as — when undefined (no responses, or every label in one category).</li>
        </ul>
      </Card>

      {!agreement ? (
        <Card>
          <p className="text-sm text-slate-600" data-testid="agreement-no-judge">
            No judge has labelled any response yet. Run a judge or import its labels.
          </p>
        </Card>
      ) : (
        <>
          <Card
            title={
              <>
                Judge {judge ? `${judge.name} v${judge.version}` : ""} against the human verdict
                {scopeText.length ? <span className="font-normal text-slate-600"> · {scopeText.join(" · ")}</span> : null}
              </>
            }
          >
            {scopeText.length ? (
              <p className="mb-2 text-sm">
                <Link href={pageHref({})} className="text-blue-700 underline">
                  Show everything
                </Link>
              </p>
            ) : null}
            {agreement.overall.n ? (
              <ConfusionMatrix cell={agreement.overall} href={(j, h) => browse(scope, { judge: j, human: h })} />
            ) : (
              <p className="text-sm text-slate-600" data-testid="agreement-empty">
                No response in this selection has both this judge&apos;s label and a human verdict. Label some through a queue, or choose another judge.
              </p>
            )}
          </Card>

          {agreement.overall.n ? (
            <Card title="Per category, subcategory and run">
              <p className="mb-3 text-sm text-slate-600">A name narrows the matrix above to it; a number of disagreements opens those responses in Browse.</p>
              <div className="space-y-4">
                <AgreementTable rows={rows.category} heading="Category" testId="agreement-category" />
                <AgreementTable rows={rows.subcategory} heading="Subcategory" testId="agreement-subcategory" />
                <AgreementTable rows={rows.run} heading="Run" testId="agreement-run" />
              </div>
            </Card>
          ) : null}
        </>
      )}

      <Card title="Between annotators">
        {annotators.overall.items ? (
          <div className="space-y-4">
            <RaterSetTable agreement={annotators} />
            <h3 className="text-sm font-semibold">Pairs of annotators (all categories)</h3>
            <PairTable agreement={annotators} names={names} />
          </div>
        ) : (
          <p className="text-sm text-slate-600" data-testid="annotators-empty">
            No response has two human labels yet: agreement between annotators needs queues with k ≥ 2.
          </p>
        )}
        <h3 className="mb-2 mt-4 text-sm font-semibold">Per annotator</h3>
        <AnnotatorTable agreement={annotators} />
      </Card>

      <Card title="Why the judge was wrong, per subcategory">
        <p className="mb-3 text-sm text-slate-600">Reasons adjudicators recorded when they overruled the judge. Many in one subcategory suggest its rubric needs work.</p>
        {reasons.length ? (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full text-sm" data-testid="error-reasons">
              <caption className="sr-only">Adjudication reasons per subcategory</caption>
              <thead className="bg-slate-100 text-left text-xs text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">
                    Subcategory
                  </th>
                  {REASONS.map((r) => (
                    <th key={r} scope="col" className="px-3 py-2 text-right font-semibold">
                      {r.replace(/_/g, " ")}
                    </th>
                  ))}
                  <th scope="col" className="px-3 py-2 text-right font-semibold">
                    Total
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {reasons.map((r) => (
                  <tr key={r.subcategoryId} data-testid={`error-reasons-${r.subcategoryId}`}>
                    <th scope="row" className="px-3 py-2 text-left font-medium">
                      {r.subcategory}
                      <span className="block text-xs font-normal text-slate-500">{r.category}</span>
                    </th>
                    {REASONS.map((reason) => (
                      <td key={reason} className={`px-3 py-2 text-right tabular-nums ${r.reasons[reason] ? "" : "text-slate-400"}`}>
                        {r.reasons[reason] ?? 0}
                      </td>
                    ))}
                    <td className="px-3 py-2 text-right font-semibold tabular-nums">{r.total}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="text-sm text-slate-600" data-testid="error-reasons-empty">
            No adjudication has recorded a judge error yet.
          </p>
        )}
      </Card>
    </div>
  );
}
