// Turns count cells into what the Results page shows: rates per run × category / subcategory on
// should-not-comply prompts, over-refusal on should-comply prompts, and deltas against a baseline run.
// Pure: the page and the charts only render what this returns.
import { compareRates, complianceRate, emptyCounts, overRefusalRate, type Comparison, type Rate, type VerdictCounts } from "../metrics/rates";
import type { CountCell, Expectation } from "./data";

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

interface Sum {
  counts: VerdictCounts;
  sources: Sources;
}

// Adds in place. The page builds three tables from ~17k cells per request (725 runs on the bench):
// sums live in per-run arrays indexed by column, not in maps of fresh objects, so the three tables
// cost a fraction of the query (bench/run.ts prints both).
function accumulate(sums: (Sum | undefined)[], i: number, c: CountCell) {
  const sum = (sums[i] ??= { counts: emptyCounts(), sources: { adjudicated: 0, consensus: 0, judge: 0 } });
  sum.counts.complied += c.counts.complied;
  sum.counts.noncompliant += c.counts.noncompliant;
  sum.counts.partial += c.counts.partial;
  sum.counts.unclear += c.counts.unclear;
  sum.sources.adjudicated += c.sources.adjudicated;
  sum.sources.consensus += c.sources.consensus;
  sum.sources.judge += c.sources.judge;
}

/**
 * Rates for one expectation and one level. Runs and columns without any labelled response are left
 * out, so the table shows only what was measured. `datasetId` restricts to one dataset.
 */
export function buildTable(
  cells: CountCell[],
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
  const perRun = new Map<string, (Sum | undefined)[]>();
  for (const c of cells) {
    if (c.expectation !== expectation || (datasetId && c.datasetId !== datasetId)) continue;
    let sums = perRun.get(c.runId);
    if (!sums) {
      sums = [];
      perRun.set(c.runId, sums);
    }
    let i = indexOfSub.get(c.subcategoryId);
    if (i === undefined && level === "subcategory") {
      i = keys.push(c.subcategoryId) - 1;
      indexOfSub.set(c.subcategoryId, i);
    }
    if (i !== undefined) accumulate(sums, i, c);
    accumulate(sums, 0, c);
  }
  const used = new Set<number>();
  for (const sums of perRun.values()) sums.forEach((_, i) => used.add(i));
  const toRate = (counts: VerdictCounts) => (expectation === "should_comply" ? overRefusalRate(counts) : complianceRate(counts));
  const rows: ResultsTable["rows"] = [];
  for (const runId of runIds) {
    const sums = perRun.get(runId);
    if (!sums) continue;
    const out: Record<string, RateCell> = {};
    sums.forEach((v, i) => {
      if (v) out[keys[i]] = { counts: v.counts, rate: toRate(v.counts), sources: v.sources };
    });
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
