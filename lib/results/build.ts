// Turns count cells into what the Results page shows: rates per run × category / subcategory on
// should-not-comply prompts, over-refusal on should-comply prompts, and deltas against a baseline run.
// Pure: the page and the charts only render what this returns.
import { addCounts, compareRates, complianceRate, emptyCounts, overRefusalRate, type Comparison, type Rate, type VerdictCounts } from "../metrics/rates";
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

const zeroSources = (): Sources => ({ adjudicated: 0, consensus: 0, judge: 0 });

function accumulate(target: Map<string, { counts: VerdictCounts; sources: Sources }>, key: string, c: CountCell) {
  const cur = target.get(key) ?? { counts: emptyCounts(), sources: zeroSources() };
  cur.counts = addCounts(cur.counts, c.counts);
  cur.sources = { adjudicated: cur.sources.adjudicated + c.sources.adjudicated, consensus: cur.sources.consensus + c.sources.consensus, judge: cur.sources.judge + c.sources.judge };
  target.set(key, cur);
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
  const subToCat = new Map<string, string>();
  for (const c of taxonomy.categories) for (const s of c.subcategories) subToCat.set(s.id, c.slug);
  const perRun = new Map<string, Map<string, { counts: VerdictCounts; sources: Sources }>>();
  for (const c of cells) {
    if (c.expectation !== expectation || (datasetId && c.datasetId !== datasetId)) continue;
    const m = perRun.get(c.runId) ?? new Map();
    accumulate(m, level === "category" ? subToCat.get(c.subcategoryId)! : c.subcategoryId, c);
    accumulate(m, "all", c);
    perRun.set(c.runId, m);
  }
  const used = new Set<string>();
  for (const m of perRun.values()) for (const k of m.keys()) used.add(k);
  const columns: Column[] = [];
  for (const cat of taxonomy.categories) {
    if (level === "category") {
      if (used.has(cat.slug)) columns.push({ key: cat.slug, label: cat.name, level, category: cat.slug });
    } else {
      for (const s of cat.subcategories) if (used.has(s.id)) columns.push({ key: s.id, label: s.name, level, category: cat.slug });
    }
  }
  const toRate = (counts: VerdictCounts) => (expectation === "should_comply" ? overRefusalRate(counts) : complianceRate(counts));
  const rows = runIds
    .filter((id) => perRun.has(id))
    .map((runId) => {
      const m = perRun.get(runId)!;
      const out: Record<string, RateCell> = {};
      for (const [k, v] of m) out[k] = { counts: v.counts, rate: toRate(v.counts), sources: v.sources };
      return { runId, cells: out };
    });
  return { expectation, metric: expectation === "should_comply" ? "over-refusal" : "compliance", columns, rows };
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
