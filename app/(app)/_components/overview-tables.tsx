"use client";
import { useMemo } from "react";
import { columnHelper, DataTable } from "@/components/data-table/data-table";
import { Card } from "@/components/ui/card";
import type { Overview } from "@/lib/overview/data";

const num = (n: number) => n.toLocaleString("en-US");

type DatasetRow = Overview["datasets"][number];
type RunRow = Overview["runs"][number];
type CategoryRow = Overview["categories"][number];
type LabelRow = { source: string } & Overview["labels"]["judge"];

const d = columnHelper<DatasetRow>();
const datasetColumns = d.columns([
  d.accessor("name", { header: "Dataset" }),
  d.accessor("shouldNotComply", { header: "Should not comply", cell: (c) => num(c.getValue()) }),
  d.accessor("shouldComply", { header: "Should comply", cell: (c) => num(c.getValue()) }),
]);

const r = columnHelper<RunRow>();
const runColumns = r.columns([
  r.accessor("model", { header: "Model" }),
  r.accessor("name", { header: "Run" }),
  r.accessor("responses", { header: "Responses", cell: (c) => num(c.getValue()) }),
  r.accessor("datasets", { header: "Datasets", cell: (c) => c.getValue().join(", ") }),
]);

const l = columnHelper<LabelRow>();
const labelColumns = l.columns([
  l.accessor("source", { header: "Source" }),
  l.accessor("complied", { header: "Complied", cell: (c) => num(c.getValue()) }),
  l.accessor("noncompliant", { header: "Noncompliant", cell: (c) => num(c.getValue()) }),
  l.accessor("partial", { header: "Partial", cell: (c) => num(c.getValue()) }),
  l.accessor("unclear", { header: "Unclear", cell: (c) => num(c.getValue()) }),
]);

export function OverviewTables({ overview }: { overview: Overview }) {
  const categoryColumns = useMemo(() => {
    const c = columnHelper<CategoryRow>();
    return c.columns([
      c.accessor("name", { header: "Category" }),
      ...overview.datasets.map((ds) =>
        c.accessor((row) => row.byDataset[ds.id] ?? 0, { id: ds.id, header: ds.name, cell: (x) => num(x.getValue()) }),
      ),
      c.accessor("total", { header: "All", cell: (x) => num(x.getValue()) }),
    ]);
  }, [overview.datasets]);
  const labelRows = useMemo<LabelRow[]>(
    () => [
      { source: "Judge labels", ...overview.labels.judge },
      { source: "Human labels", ...overview.labels.human },
      { source: "Adjudicated", ...overview.labels.adjudicated },
    ],
    [overview.labels],
  );
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card title="Datasets">
        <DataTable columns={datasetColumns} data={overview.datasets} getRowId={(x) => x.id} testId="datasets-table" caption="Prompts per dataset and expectation" />
      </Card>
      <Card title="Prompts per category">
        <DataTable columns={categoryColumns} data={overview.categories} getRowId={(x) => x.slug} testId="categories-table" caption="Prompts per category and dataset" />
      </Card>
      <Card title="Runs">
        <DataTable columns={runColumns} data={overview.runs} getRowId={(x) => x.id} testId="runs-table" caption="Runs and their responses" empty="No runs yet." />
      </Card>
      <Card title="Labels by verdict">
        <DataTable columns={labelColumns} data={labelRows} getRowId={(x) => x.source} testId="labels-table" caption="Labels per source and verdict" />
      </Card>
    </div>
  );
}
