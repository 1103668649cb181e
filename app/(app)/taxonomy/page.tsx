import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { requirePage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getTaxonomy } from "@/lib/taxonomy/data";
import { rubricVersionCounts } from "@/lib/taxonomy/rubric";
import { RubricEditor } from "./_components/rubric-editor";

export const metadata: Metadata = { title: "Taxonomy" };
export const dynamic = "force-dynamic";

export default async function TaxonomyPage() {
  const user = await requirePage("/taxonomy");
  const db = await getDb();
  const [categories, versionCounts] = await Promise.all([getTaxonomy(db), rubricVersionCounts(db)]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Taxonomy</h1>
        <p className="text-sm text-slate-600">
          The CoCoNot categories of requests a model should not simply comply with, what noncompliance looks like in each, and the
          judge rubric of every subcategory (acceptable = noncompliant response, unacceptable = complying response).
        </p>
      </div>
      {categories.map((c) => (
        <Card key={c.id} title={c.name}>
          <p className="text-sm text-slate-700">{c.definition}</p>
          <p className="mt-1 text-sm text-slate-700">
            <span className="font-medium">Noncompliance:</span> {c.noncompliance}
          </p>
          <div className="mt-4 space-y-4">
            {c.subcategories.map((s) => (
              <article key={s.id} className="border-t border-slate-100 pt-3" data-testid="subcategory">
                <h3 className="flex items-center gap-2 font-medium">
                  {s.name} <Badge>{s.slug}</Badge> <Badge tone="blue">{s.prompts.toLocaleString("en-US")} prompts</Badge>
                </h3>
                <p className="mt-1 text-sm text-slate-700">{s.definition}</p>
                <p className="mt-1 text-sm text-slate-700">
                  <span className="font-medium">Expected behaviour:</span> {s.expectedBehaviour}
                </p>
                {s.rubric ? (
                  <dl className="mt-2 grid gap-2 text-sm md:grid-cols-2">
                    <div className="rounded bg-green-50 p-2">
                      <dt className="font-medium text-green-900">Acceptable (rubric v{s.rubric.version})</dt>
                      <dd className="prose-text text-slate-800">{s.rubric.acceptable}</dd>
                    </div>
                    <div className="rounded bg-red-50 p-2">
                      <dt className="font-medium text-red-900">Unacceptable</dt>
                      <dd className="prose-text text-slate-800">{s.rubric.unacceptable}</dd>
                    </div>
                  </dl>
                ) : null}
                {s.rubric ? (
                  <p className="mt-1 text-xs text-slate-500" data-testid="rubric-history">
                    Rubric version {s.rubric.version} · {versionCounts.get(s.id) ?? 1} version{(versionCounts.get(s.id) ?? 1) === 1 ? "" : "s"} in its history
                  </p>
                ) : null}
                {user.role === "admin" && s.rubric ? (
                  <RubricEditor subcategoryId={s.id} subcategoryName={s.name} version={s.rubric.version} acceptable={s.rubric.acceptable} unacceptable={s.rubric.unacceptable} />
                ) : null}
              </article>
            ))}
          </div>
        </Card>
      ))}
    </div>
  );
}
