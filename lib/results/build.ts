// Turns count cells into what the Results page shows: rates per run × category / subcategory on
// should-not-comply prompts, over-refusal on should-comply prompts, and deltas against a baseline run.
// Pure: the page and the charts only render what this returns.
import { compareRates, complianceRate, overRefusalRate, type Comparison, type Rate, type VerdictCounts } from "../metrics/rates";
import { VALUE, VALUES_PER_RUN, type CellCounts, type Expectation } from "./cells";

export interface Taxonomy {
  categories: { slug: string; name: string; subcategories: { id: string; slug: string; name: string }[] }[];
}

export interface Sources {
  adjudicated: number;
  consensus: number;
  judge: number;
}

export interface RateCell {
  counts: VerdictCounts;
  /** Compliance rate (should not comply) or over-refusal rate (should comply). */
  rate: Rate;
  sources: Sources;
}

export interface Column {
  key: string; // category slug, or subcategory id
  label: string;
  level: "category" | "subcategory";
  category: string; // category slug
}

export interface ResultsTable {
  expectation: Expectation;
  metric: "compliance" | "over-refusal";
  columns: Column[];
  /** Per run: cells by column key, plus the run's overall cell ("all"). */
  rows: { runId: string; cells: Record<string, RateCell> }[];
}

/**
 * Rates for one expectation and one level. Runs and columns without any labelled response are left
 * out, so the table shows only what was measured. `datasetId` restricts to one dataset.
 * Sums go into one flat array (run × column × value) instead of an object per cell: the page builds three
 * tables from ~29k run entries per request (725 runs on the bench) in a few milliseconds (bench/run.ts).
 */
export function buildTable(
  counts: CellCounts,
  taxonomy: Taxonomy,
  runIds: string[],
  expectation: Expectation,
  level: "category" | "subcategory",
  datasetId?: string,
): ResultsTable {
  // Cell keys by index, "all" first, then the taxonomy's columns in order. A subcategory the taxonomy
  // does not list counts in "all" and, at subcategory level, under its own id (no column shows it).
  const keys = ["all"];
  const columns: Column[] = [];
  const indexOfSub = new Map<string, number>();
  for (const cat of taxonomy.categories) {
    if (level === "category") columns.push({ key: cat.slug, label: cat.name, level, category: cat.slug });
    for (const s of cat.subcategories) {
      if (level === "subcategory") columns.push({ key: s.id, label: s.name, level, category: cat.slug });
      indexOfSub.set(s.id, columns.length); // the key index of its column: keys[0] is "all"
    }
  }
  for (const col of columns) keys.push(col.key);
  const groups = counts.groups.filter((g) => g.expectation === expectation && (!datasetId || g.datasetId === datasetId));
  const column = groups.map((g) => {
    let i = indexOfSub.get(g.subcategoryId);
    if (i === undefined && level === "subcategory") {
      i = keys.push(g.subcategoryId) - 1;
      indexOfSub.set(g.subcategoryId, i);
    }
    return i ?? -1;
  });
  const K = keys.length;
  const V = VALUES_PER_RUN;
  const sums = new Float64Array(counts.runIds.length * K * V);
  const add = (at: number, values: Int32Array, from: number) => {
    for (let v = 0; v < V; v++) sums[at + v] += values[from + v];
  };
  groups.forEach((g, gi) => {
    const col = column[gi];
    for (let i = 0; i < g.runs.length; i++) {
      const base = g.runs[i] * K * V;
      add(base, g.values, i * V);
      if (col > 0) add(base + col * V, g.values, i * V);
    }
  });
  // Every entry has labelled responses (the query leaves out empty cells), so a sum with none was never added to.
  const labelled = (at: number) => sums[at] + sums[at + 1] + sums[at + 2] + sums[at + 3];
  const used = new Set<number>();
  for (let r = 0; r < counts.runIds.length; r++) for (let k = 1; k < K; k++) if (labelled((r * K + k) * V) > 0) used.add(k);
  const toRate = (c: VerdictCounts) => (expectation === "should_comply" ? overRefusalRate(c) : complianceRate(c));
  const runIndex = new Map(counts.runIds.map((id, i) => [id, i]));
  const rows: ResultsTable["rows"] = [];
  for (const runId of runIds) {
    const r = runIndex.get(runId);
    if (r === undefined || labelled(r * K * V) === 0) continue;
    const out: Record<string, RateCell> = {};
    for (let k = 0; k < K; k++) {
      const at = (r * K + k) * V;
      if (labelled(at) === 0) continue;
      const c: VerdictCounts = { complied: sums[at + VALUE.complied], noncompliant: sums[at + VALUE.noncompliant], partial: sums[at + VALUE.partial], unclear: sums[at + VALUE.unclear] };
      out[keys[k]] = { counts: c, rate: toRate(c), sources: { adjudicated: sums[at + VALUE.adjudicated], consensus: sums[at + VALUE.consensus], judge: sums[at + VALUE.judge] } };
    }
    rows.push({ runId, cells: out });
  }
  return {
    expectation,
    metric: expectation === "should_comply" ? "over-refusal" : "compliance",
    columns: columns.filter((_, i) => used.has(i + 1)),
    rows,
  };
}

/** Deltas of every run against the baseline run, per column (and "all"). */
export function compareToBaseline(table: ResultsTable, baselineRunId: string): Record<string, Record<string, Comparison>> {
  const base = table.rows.find((r) => r.runId === baselineRunId);
  const out: Record<string, Record<string, Comparison>> = {};
  if (!base) return out;
  for (const row of table.rows) {
    if (row.runId === baselineRunId) continue;
    out[row.runId] = {};
    for (const key of [...table.columns.map((c) => c.key), "all"]) {
      const a = row.cells[key];
      const b = base.cells[key];
      if (a && b) out[row.runId][key] = compareRates(a.rate, b.rate);
    }
  }
  return out;
}

export interface ChartDatum {
  column: string;
  key: string;
  [runKey: string]: number | string | [number, number] | null;
}

/**
 * Grouped-bar series: one datum per column, one bar per run (value in %, null when unmeasured), and
 * an error-bar pair [below, above] in percentage points for the 95% interval.
 */
export function chartSeries(table: ResultsTable): ChartDatum[] {
  return table.columns.map((col) => {
    const d: ChartDatum = { column: col.label, key: col.key };
    for (const row of table.rows) {
      const cell = row.cells[col.key];
      const r = cell?.rate;
      d[row.runId] = r?.rate == null ? null : round(r.rate * 100);
      d[`${row.runId}:ci`] = r?.rate == null || !r.ci ? null : [round((r.rate - r.ci.low) * 100), round((r.ci.high - r.rate) * 100)];
    }
    return d;
  });
}

const round = (x: number) => Math.round(x * 100) / 100;
