// What is stored, in counts: the overview page and GET /api/overview.
import type { DbTx } from "../db";
import { Prisma } from "../db";

export type VerdictCounts = Record<"complied" | "noncompliant" | "partial" | "unclear", number>;

export interface Overview {
  totals: {
    datasets: number;
    prompts: number;
    models: number;
    runs: number;
    responses: number;
    judgeLabels: number;
    humanLabels: number;
    adjudications: number;
  };
  datasets: { id: string; slug: string; name: string; shouldNotComply: number; shouldComply: number }[];
  /** Prompts per category and dataset, categories in taxonomy order. */
  categories: { slug: string; name: string; byDataset: Record<string, number>; total: number }[];
  runs: { id: string; model: string; name: string; responses: number; datasets: string[] }[];
  labels: { judge: VerdictCounts; human: VerdictCounts; adjudicated: VerdictCounts };
}

const zero = (): VerdictCounts => ({ complied: 0, noncompliant: 0, partial: 0, unclear: 0 });

function verdictCounts(rows: { verdict: keyof VerdictCounts; _count: { _all: number } }[]): VerdictCounts {
  const c = zero();
  for (const r of rows) c[r.verdict] = r._count._all;
  return c;
}

export async function getOverview(db: DbTx): Promise<Overview> {
  const [datasets, models, runs, responses, judgeLabels, humanLabels, adjudications] = await Promise.all([
    db.dataset.findMany({ select: { id: true, slug: true, name: true }, orderBy: { createdAt: "asc" } }),
    db.model.count(),
    db.run.findMany({ select: { id: true, name: true, model: { select: { name: true } } }, orderBy: { createdAt: "asc" } }),
    db.response.count(),
    db.judgeLabel.groupBy({ by: ["verdict"], _count: { _all: true } }),
    db.humanLabel.groupBy({ by: ["verdict"], _count: { _all: true } }),
    db.adjudication.groupBy({ by: ["verdict"], _count: { _all: true } }),
  ]);
  const [byExpectation, bySubcategory, subcategories, runDatasets] = await Promise.all([
    db.prompt.groupBy({ by: ["datasetId", "expectation"], _count: { _all: true } }),
    db.prompt.groupBy({ by: ["datasetId", "subcategoryId"], _count: { _all: true } }),
    db.subcategory.findMany({
      select: { id: true, category: { select: { slug: true, name: true, sortOrder: true } } },
    }),
    // Responses per run and dataset: a run may answer several datasets.
    db.$queryRaw<{ runId: string; datasetId: string; n: number }[]>(Prisma.sql`
      SELECT r."runId", p."datasetId", count(*)::int AS n
      FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
      GROUP BY r."runId", p."datasetId"`),
  ]);

  const datasetRows = datasets.map((d) => {
    const n = (e: string) => byExpectation.find((x) => x.datasetId === d.id && x.expectation === e)?._count._all ?? 0;
    return { ...d, shouldNotComply: n("should_not_comply"), shouldComply: n("should_comply") };
  });

  const subToCategory = new Map(subcategories.map((s) => [s.id, s.category]));
  const categories = new Map<string, Overview["categories"][number] & { order: number }>();
  for (const row of bySubcategory) {
    const cat = subToCategory.get(row.subcategoryId)!;
    const entry = categories.get(cat.slug) ?? { slug: cat.slug, name: cat.name, byDataset: {}, total: 0, order: cat.sortOrder };
    entry.byDataset[row.datasetId] = (entry.byDataset[row.datasetId] ?? 0) + row._count._all;
    entry.total += row._count._all;
    categories.set(cat.slug, entry);
  }

  const datasetName = new Map(datasets.map((d) => [d.id, d.name]));
  const runRows = runs.map((r) => {
    const mine = runDatasets.filter((x) => x.runId === r.id);
    return {
      id: r.id,
      model: r.model.name,
      name: r.name,
      responses: mine.reduce((s, x) => s + x.n, 0),
      datasets: mine.map((x) => datasetName.get(x.datasetId) ?? x.datasetId).sort(),
    };
  });

  return {
    totals: {
      datasets: datasets.length,
      prompts: datasetRows.reduce((s, d) => s + d.shouldComply + d.shouldNotComply, 0),
      models,
      runs: runs.length,
      responses,
      judgeLabels: judgeLabels.reduce((s, r) => s + r._count._all, 0),
      humanLabels: humanLabels.reduce((s, r) => s + r._count._all, 0),
      adjudications: adjudications.reduce((s, r) => s + r._count._all, 0),
    },
    datasets: datasetRows,
    categories: [...categories.values()].sort((a, b) => a.order - b.order).map(({ order: _o, ...c }) => c),
    runs: runRows,
    labels: { judge: verdictCounts(judgeLabels), human: verdictCounts(humanLabels), adjudicated: verdictCounts(adjudications) },
  };
}
