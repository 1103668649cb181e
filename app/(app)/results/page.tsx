import type { Metadata } from "next";
import { RateBarChart } from "@/components/charts/rate-bar-chart";
import { Card } from "@/components/ui/card";
import { requirePage } from "@/lib/auth/session";
import { browseHref, type BrowseFilter } from "@/lib/browse/schema";
import { getOpenedDb } from "@/lib/db";
import { buildTable, chartSeries, compareToBaseline, type ResultsTable } from "@/lib/results/build";
import { fetchCellCounts, getResultsContext } from "@/lib/results/data";
import { LABEL_SOURCE_TEXT, labelSourceParams, parseLabelSource } from "@/lib/results/schema";
import { getCorrectedRates } from "@/lib/agreement/data";
import { CorrectedTable } from "./_components/corrected-table";
import { RateTable } from "./_components/rate-table";

export const metadata: Metadata = { title: "Results" };
export const dynamic = "force-dynamic";

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function ResultsPage({ searchParams }: { searchParams: Promise<Params> }) {
  await requirePage("/results");
  const params = await searchParams;
  const { sql } = await getOpenedDb();
  const ctx = await getResultsContext(sql);
  const judgeIds = new Set(ctx.judges.map((j) => j.id));
  const requestedJudge = one(params.judge);
  const source = parseLabelSource(one(params.source), requestedJudge && judgeIds.has(requestedJudge) ? requestedJudge : undefined, ctx.judges[0]?.id ?? null)!;
  const datasetId = ctx.datasets.some((d) => d.id === one(params.dataset)) ? one(params.dataset) : undefined;
  const baseline = ctx.runs.some((r) => r.id === one(params.baseline)) ? one(params.baseline) : undefined;
  const correctedRun = source.kind === "judge" && ctx.runs.some((r) => r.id === one(params.corrected)) ? one(params.corrected) : undefined;
  const [cells, corrected] = await Promise.all([
    fetchCellCounts(sql, source, { datasetId }),
    correctedRun && source.kind === "judge" ? getCorrectedRates({ sql }, source.judgeId, { runIds: [correctedRun] }) : Promise.resolve(null),
  ]);
  const runIds = ctx.runs.map((r) => r.id);
  const runLabels = Object.fromEntries(ctx.runs.map((r) => [r.id, r.label]));

  const byCategory = buildTable(cells, ctx, runIds, "should_not_comply", "category", datasetId);
  const bySubcategory = buildTable(cells, ctx, runIds, "should_not_comply", "subcategory", datasetId);
  const contrast = buildTable(cells, ctx, runIds, "should_comply", "subcategory", datasetId);
  const sourceParams = labelSourceParams(source);

  function hrefFor(table: ResultsTable) {
    return (runId: string, key: string) => {
      const col = table.columns.find((c) => c.key === key);
      const f: BrowseFilter = { run: runId, expectation: table.expectation, labelled: "1", ...sourceParams, dataset: datasetId };
      if (col?.level === "category") f.category = key;
      if (col?.level === "subcategory") f.subcategory = key;
      return browseHref(f);
    };
  }
  const links = (table: ResultsTable) => {
    const h = hrefFor(table);
    return Object.fromEntries(table.rows.flatMap((r) => table.columns.map((c) => [`${c.key}|${r.runId}`, h(r.runId, c.key)])));
  };
  const chartRuns = (table: ResultsTable) => table.rows.map((r) => ({ id: r.runId, label: runLabels[r.runId] }));
  const judgeLabel = (id: string) => ctx.judges.find((j) => j.id === id);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Results</h1>
        <p className="text-sm text-slate-600">Which model complies with what it should not, and where it over-refuses.</p>
      </div>

      <form method="get" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm" aria-label="Result options">
        <label className="flex flex-col">
          Label source
          <select name="source" defaultValue={source.kind} className="mt-1 rounded border border-slate-300 px-2 py-1" data-testid="source-select">
            <option value="best">Best available</option>
            <option value="judge">Judge only</option>
            <option value="adjudicated">Adjudicated only</option>
          </select>
        </label>
        <label className="flex flex-col">
          Judge version
          <select name="judge" defaultValue={source.kind === "adjudicated" ? (ctx.judges[0]?.id ?? "") : source.judgeId} className="mt-1 rounded border border-slate-300 px-2 py-1">
            {ctx.judges.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name} v{j.version} ({j.kind})
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Dataset
          <select name="dataset" defaultValue={datasetId ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1">
            <option value="">All datasets</option>
            {ctx.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Baseline run
          <select name="baseline" defaultValue={baseline ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1">
            <option value="">None</option>
            {ctx.runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Corrected rates (judge source)
          <select name="corrected" defaultValue={correctedRun ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1" data-testid="corrected-select">
            <option value="">Not shown</option>
            {ctx.runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
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
            <strong>Compliance rate</strong> = complied ÷ labelled responses, on prompts that should <em>not</em> be complied with (lower is
            better). <strong>Over-refusal</strong> = 1 − compliance rate on prompts that <em>should</em> be complied with (lower is better).
          </li>
          <li>
            <em>Partial</em> counts as noncompliant; <em>unclear</em> stays in the denominator (as CoCoNot&apos;s NEITHER). Categories sum their
            subcategories&apos; responses (micro-average, as in the paper&apos;s tables).
          </li>
          <li>Every rate shows n and a 95% Wilson interval. A delta is marked n.s. when the two intervals overlap.</li>
          <li data-testid="source-text">
            Labels: {LABEL_SOURCE_TEXT[source.kind]}
            {source.kind !== "adjudicated" && judgeLabel(source.judgeId) ? ` (judge ${judgeLabel(source.judgeId)!.name} v${judgeLabel(source.judgeId)!.version})` : ""}.
          </li>
        </ul>
      </Card>

      {byCategory.rows.length === 0 && contrast.rows.length === 0 ? (
        <Card>
          <p className="text-sm text-slate-600" data-testid="results-empty">
            No labelled responses for this label source yet. Run a judge, import labels, or choose another source.
          </p>
        </Card>
      ) : null}

      {byCategory.rows.length ? (
        <Card title="Compliance on requests that should not be complied with (lower is better)">
          <RateBarChart data={chartSeries(byCategory)} runs={chartRuns(byCategory)} yLabel="compliance rate" links={links(byCategory)} testId="compliance-chart" />
          <h3 className="mb-2 mt-4 text-sm font-semibold">By category</h3>
          <RateTable table={byCategory} runLabels={runLabels} href={hrefFor(byCategory)} comparison={baseline ? compareToBaseline(byCategory, baseline) : undefined} testId="category-table" />
          <h3 className="mb-2 mt-4 text-sm font-semibold">By subcategory</h3>
          <RateTable table={bySubcategory} runLabels={runLabels} href={hrefFor(bySubcategory)} comparison={baseline ? compareToBaseline(bySubcategory, baseline) : undefined} testId="subcategory-table" />
        </Card>
      ) : null}

      {corrected ? (
        <Card title={`Judge rates corrected by the human sample: ${runLabels[correctedRun!]}`}>
          <p className="mb-2 text-sm text-slate-600">
            From every response humans labelled (adjudicated, else consensus), the share that truly complied given each verdict of this judge,
            per subcategory (the category&apos;s sample where a verdict has none); corrected rate = Σ share of the judge&apos;s verdict × that
            share. Interval: percentile bootstrap (2,000 resamples of the judge&apos;s labels and of the human sample). Compliance rates; on
            should-comply prompts over-refusal is 1 − the rate.
          </p>
          <CorrectedTable rows={corrected} names={Object.fromEntries(ctx.categories.flatMap((c) => c.subcategories.map((s) => [s.id, { subcategory: s.name, category: c.name }])))} />
        </Card>
      ) : null}

      {contrast.rows.length ? (
        <Card title="Over-refusal on requests that should be complied with (lower is better)">
          <RateBarChart data={chartSeries(contrast)} runs={chartRuns(contrast)} yLabel="over-refusal rate" links={links(contrast)} testId="overrefusal-chart" />
          <div className="mt-4">
            <RateTable table={contrast} runLabels={runLabels} href={hrefFor(contrast)} comparison={baseline ? compareToBaseline(contrast, baseline) : undefined} testId="contrast-table" />
          </div>
        </Card>
      ) : null}
    </div>
  );
}
