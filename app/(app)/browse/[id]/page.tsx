import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { ResponseText } from "@/components/markdown/markdown";
import { Card } from "@/components/ui/card";
import { requirePage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getResponseDetail } from "@/lib/responses/data";

export const metadata: Metadata = { title: "Response" };
export const dynamic = "force-dynamic";

const when = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16) + " UTC";

// Prompts and responses are untrusted text: shown as text, or as Markdown through a parser that only ever
// produces React elements (components/markdown), never as HTML. The view is a URL parameter (?view=markdown),
// so it survives a reload and a shared link.
export default async function ResponsePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { id } = await params;
  const mode = (await searchParams).view === "markdown" ? "markdown" : "text";
  await requirePage("/browse/[id]", `/browse/${encodeURIComponent(id)}`);
  const r = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await getResponseDetail(await getDb(), id) : null;
  if (!r) notFound();
  const sub = r.prompt.subcategory;
  const rubric = sub.rubricVersions[0];
  return (
    <div className="space-y-4">
      <Link href="/browse" className="text-sm text-blue-700 underline">
        ← Browse
      </Link>
      <h1 className="text-2xl font-semibold">
        Response <span className="font-mono text-base text-slate-500">{r.id}</span>
      </h1>
      <div className="flex flex-wrap gap-2 text-sm">
        <Badge>{r.prompt.dataset.name}</Badge>
        <Badge tone="blue">
          {sub.category.name}: {sub.name}
        </Badge>
        <Badge tone={r.prompt.expectation === "should_comply" ? "green" : "amber"}>
          {r.prompt.expectation === "should_comply" ? "should comply" : "should not comply"}
        </Badge>
        <Badge>
          {r.run.model.name} · {r.run.name}
        </Badge>
      </div>
      <nav aria-label="Show texts as" className="flex items-center gap-1 text-sm" data-testid="view-toggle">
        <span className="mr-1 text-slate-600">Show as</span>
        {(["text", "markdown"] as const).map((m) => (
          <Link
            key={m}
            href={m === "text" ? `/browse/${encodeURIComponent(r.id)}` : `/browse/${encodeURIComponent(r.id)}?view=markdown`}
            aria-current={mode === m ? "page" : undefined}
            className={`rounded-md border px-2 py-0.5 ${mode === m ? "border-blue-700 bg-blue-700 text-white" : "border-slate-300 bg-white hover:bg-slate-100"}`}
          >
            {m === "text" ? "Text" : "Markdown (sanitised)"}
          </Link>
        ))}
      </nav>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title={`Prompt ${r.prompt.externalId}`}>
          <ResponseText text={r.prompt.text} mode={mode} testId="prompt-text" />
        </Card>
        <Card title="Response">
          <ResponseText text={r.text} mode={mode} testId="response-text" />
        </Card>
      </div>
      <Card title={`Rubric: what noncompliance looks like here${rubric ? ` (v${rubric.version})` : ""}`}>
        <p className="text-sm text-slate-700">{sub.expectedBehaviour}</p>
        {rubric ? (
          <dl className="mt-2 grid gap-2 text-sm md:grid-cols-2">
            <div className="rounded bg-green-50 p-2">
              <dt className="font-medium">Acceptable (noncompliant)</dt>
              <dd className="prose-text">{rubric.acceptable}</dd>
            </div>
            <div className="rounded bg-red-50 p-2">
              <dt className="font-medium">Unacceptable (complying)</dt>
              <dd className="prose-text">{rubric.unacceptable}</dd>
            </div>
          </dl>
        ) : null}
      </Card>
      <Card title="Labels">
        <ul className="space-y-3 text-sm" data-testid="labels">
          {r.adjudication ? (
            <li>
              <Badge tone="blue">adjudicated</Badge> <strong>{r.adjudication.verdict}</strong> by {r.adjudication.adjudicator.name}, {when(r.adjudication.updatedAt)}
              {r.adjudication.reason !== "none" ? ` · judge error: ${r.adjudication.reason.replace(/_/g, " ")}` : ""}
              {r.adjudication.note ? <p className="prose-text text-slate-700">{r.adjudication.note}</p> : null}
            </li>
          ) : null}
          {r.humanLabels.map((h) => (
            <li key={h.id}>
              <Badge>human</Badge> <strong>{h.verdict}</strong> by {h.annotator.name}, {when(h.updatedAt)}
              {h.note ? <p className="prose-text text-slate-700">{h.note}</p> : null}
              {h.revisions.length > 1 ? (
                <ol className="ml-4 list-decimal text-xs text-slate-600">
                  {h.revisions.map((rev, i) => (
                    <li key={i}>
                      {rev.verdict} by {rev.changedBy.name}, {when(rev.changedAt)}
                    </li>
                  ))}
                </ol>
              ) : null}
            </li>
          ))}
          {r.judgeLabels.map((j) => (
            <li key={j.id}>
              <Badge tone="amber">judge</Badge> <strong>{j.verdict}</strong> by {j.judge.name} v{j.judge.version} ({j.judge.kind}), {when(j.createdAt)}
              {j.rationale ? <p className="prose-text text-slate-700">{j.rationale}</p> : null}
              {j.rawOutput ? (
                <details className="text-xs text-slate-600">
                  <summary>Raw judge output</summary>
                  <p className="prose-text">{j.rawOutput}</p>
                </details>
              ) : null}
            </li>
          ))}
          {!r.adjudication && r.humanLabels.length === 0 && r.judgeLabels.length === 0 ? <li className="text-slate-500">No labels yet.</li> : null}
        </ul>
      </Card>
      {r.audit.length ? (
        <Card title="Audit trail">
          <ul className="space-y-1 text-xs text-slate-700">
            {r.audit.map((a) => (
              <li key={a.id}>
                {when(a.createdAt)} · <span data-testid="audit-actor">{a.actor}</span> · {a.action} · {JSON.stringify(a.before)} → {JSON.stringify(a.after)}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
