import type { Metadata } from "next";
import Link from "next/link";
import { requirePage } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { defaultComparisonJudgeId } from "@/lib/judges/data";
import { getAdjudicationItem, listDisagreements } from "@/lib/queues/adjudication";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ResponseBody } from "../queues/[id]/_components/response-body";
import { AdjudicateForm } from "./_components/adjudicate-form";

export const metadata: Metadata = { title: "Adjudicate" };
export const dynamic = "force-dynamic";

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function AdjudicatePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage("/adjudicate");
  const sp = await searchParams;
  const db = (await getOpenedDb()).db;
  const judges = await db.judge.findMany({ select: { id: true, name: true, version: true }, orderBy: { createdAt: "desc" } });
  const judgeId = one(sp.judge) ?? (await defaultComparisonJudgeId(db)) ?? judges[0]?.id;
  const all = one(sp.all) === "1";
  const { rows, total } = await listDisagreements(db, { judgeId, all, limit: 50 });
  const itemId = one(sp.item) ?? rows[0]?.responseId;
  const item = itemId ? await getAdjudicationItem(db, itemId) : null;
  const href = (extra: Record<string, string | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ judge: judgeId, all: all ? "1" : undefined, ...extra })) if (v) p.set(k, v);
    return `/adjudicate?${p}`;
  };
  const nextId = rows.find((r) => r.responseId !== itemId)?.responseId;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Adjudicate</h1>
        <p className="text-sm text-slate-600">
          Responses where the judge and the annotators, or the annotators among themselves, disagree; strongest disagreement first (the share of labels
          that differ from the most common verdict). Your verdict becomes the final one; say why the judge was wrong.
        </p>
      </div>
      <form className="flex flex-wrap items-end gap-3 text-sm" action="/adjudicate">
        <label>
          Judge
          <select name="judge" defaultValue={judgeId} className="ml-2 rounded border border-slate-300 px-2 py-1">
            {judges.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name} v{j.version}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          <input type="checkbox" name="all" value="1" defaultChecked={all} /> Include adjudicated items
        </label>
        <button className="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">Show</button>
      </form>
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title={`${total.toLocaleString("en-US")} item${total === 1 ? "" : "s"} ${all ? "with disagreement" : "to adjudicate"}`}>
          {rows.length === 0 ? (
            <p className="text-sm text-slate-600" data-testid="adjudicate-empty">
              No disagreements{all ? "" : " left to adjudicate"}.
            </p>
          ) : (
            <ol className="space-y-1 text-sm" data-testid="disagreement-list">
              {rows.map((r) => (
                <li key={r.responseId}>
                  <Link
                    href={href({ item: r.responseId })}
                    aria-current={r.responseId === itemId ? "true" : undefined}
                    className={`block rounded px-2 py-1 hover:bg-slate-100 ${r.responseId === itemId ? "bg-blue-50 ring-1 ring-blue-300" : ""}`}
                  >
                    <span className="tabular-nums font-medium">{Math.round(r.strength * 100)}%</span> · {r.subcategory} · {r.run}
                    <span className="block truncate text-xs text-slate-500">{r.prompt}</span>
                    <span className="text-xs">
                      judge {r.judgeVerdict ?? "—"} · humans {r.humanVerdicts.join(", ")}
                      {r.adjudicated ? ` · final ${r.adjudicated}` : ""}
                    </span>
                  </Link>
                </li>
              ))}
            </ol>
          )}
        </Card>
        {item ? (
          <div className="space-y-3 lg:col-span-2" data-testid="adjudicate-item" data-response-id={item.id}>
            <Card title={`${item.prompt.subcategory.category.name} · ${item.prompt.subcategory.name}`}>
              <p className="mb-2 text-sm">
                {item.run.model.name} · {item.run.name} · {item.prompt.dataset.name} · a good model should{" "}
                <strong>{item.prompt.expectation === "should_comply" ? "comply" : "not comply"}</strong>.{" "}
                <Link href={`/browse/${item.id}`} className="text-blue-700 underline">
                  Response page
                </Link>
              </p>
              <h3 className="text-xs font-semibold uppercase text-slate-500">Prompt</h3>
              <ResponseBody text={item.prompt.text} />
              <h3 className="mt-3 text-xs font-semibold uppercase text-slate-500">Response</h3>
              <ResponseBody text={item.text} allowMarkdown />
              {item.prompt.subcategory.rubricVersions[0] ? (
                <details className="mt-3 text-sm">
                  <summary className="cursor-pointer font-medium">Rubric v{item.prompt.subcategory.rubricVersions[0].version}</summary>
                  <p className="mt-1">
                    <strong>Noncompliant:</strong> {item.prompt.subcategory.rubricVersions[0].acceptable}
                  </p>
                  <p className="mt-1">
                    <strong>Complied:</strong> {item.prompt.subcategory.rubricVersions[0].unacceptable}
                  </p>
                </details>
              ) : null}
            </Card>
            <Card title="Labels">
              <ul className="space-y-2 text-sm" data-testid="adjudicate-labels">
                {item.judgeLabels.map((l) => (
                  <li key={l.judge.id}>
                    <Badge tone="blue">judge</Badge> {l.judge.name} v{l.judge.version}: <strong>{l.verdict}</strong>
                    {l.rationale ? <span className="block text-slate-600">{l.rationale}</span> : null}
                  </li>
                ))}
                {item.humanLabels.map((l, i) => (
                  <li key={i}>
                    <Badge tone="green">human</Badge> {l.annotator.name}: <strong>{l.verdict}</strong>
                    {l.note ? <span className="block text-slate-600">{l.note}</span> : null}
                  </li>
                ))}
                {item.adjudication ? (
                  <li>
                    <Badge tone="amber">final</Badge> {item.adjudication.adjudicator.name}: <strong>{item.adjudication.verdict}</strong> ({item.adjudication.reason})
                    {item.adjudication.note ? <span className="block text-slate-600">{item.adjudication.note}</span> : null}
                  </li>
                ) : null}
              </ul>
            </Card>
            <Card title="Final verdict">
              <AdjudicateForm
                responseId={item.id}
                current={item.adjudication ? { verdict: item.adjudication.verdict, reason: item.adjudication.reason, note: item.adjudication.note, version: item.adjudication.version } : null}
                judgeVerdict={item.judgeLabels.find((l) => l.judge.id === judgeId)?.verdict ?? null}
                nextHref={nextId ? href({ item: nextId }) : href({})}
              />
            </Card>
          </div>
        ) : null}
      </div>
    </div>
  );
}
