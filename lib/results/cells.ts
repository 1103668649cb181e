// Count cells in the compact form Results reads them in (lib/results/data.ts fetchCellCounts), and the
// conversions to and from one object per cell. Pure.
import { emptyCounts, type VerdictCounts } from "../metrics/rates";

export type Expectation = "should_not_comply" | "should_comply";

/** Counts of one cell (run × dataset × subcategory × expectation) under a label source. */
export interface CountCell {
  runId: string;
  datasetId: string;
  subcategoryId: string;
  expectation: Expectation;
  counts: VerdictCounts;
  /** How many of the labels came from each source. */
  sources: { adjudicated: number; consensus: number; judge: number };
}

/** Numbers per run in a CountGroup: the four verdicts, then how many labels came from each source. */
export const VALUES_PER_RUN = 7;
export const VALUE = { complied: 0, noncompliant: 1, partial: 2, unclear: 3, adjudicated: 4, consensus: 5, judge: 6 } as const;

/**
 * The counts of one column of cells, (dataset, subcategory, expectation), for every run with labels there.
 * Under `best` a cell is the sum of two groups' entries (its human final verdicts, and the judge labels they
 * do not cover), so a consumer that sums (buildTable) never needs them matched up.
 */
export interface CountGroup {
  datasetId: string;
  subcategoryId: string;
  expectation: Expectation;
  /** Indexes into CellCounts.runIds. */
  runs: Int32Array;
  /** VALUES_PER_RUN numbers per run, in `runs` order (see VALUE). */
  values: Int32Array;
}

/** Every labelled cell under a label source, grouped by column, runs coded by their index in `runIds`. */
export interface CellCounts {
  runIds: string[];
  groups: CountGroup[];
}

/** The integers of an int array's text form ("{{1,-2},{3,4}}"), in order. */
export function parseIntArray(text: string): number[] {
  const out: number[] = [];
  let v = 0;
  let sign = 1;
  let inNumber = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      v = v * 10 + ch - 48;
      inNumber = true;
    } else if (ch === 45) sign = -1;
    else {
      if (inNumber) out.push(sign * v);
      v = 0;
      sign = 1;
      inNumber = false;
    }
  }
  if (inNumber) out.push(sign * v);
  return out;
}

/**
 * A group as the database sends it: its runs' ids, comma-separated, and per run either 6 numbers (human
 * final verdicts: four verdicts, then how many were adjudicated and how many consensus) or 4 (judge labels).
 */
export interface CountGroupText {
  part: "h" | "j";
  datasetId: string;
  subcategoryId: string;
  expectation: Expectation;
  runs: string;
  counts: string;
}

/** Decodes one group; `runIds`/`runIndex` collect the run ids of all groups, so runs share their index. */
export function decodeGroup(row: CountGroupText, runIds: string[], runIndex: Map<string, number>): CountGroup {
  const ids = row.runs.split(",");
  const ints = parseIntArray(row.counts);
  const stride = row.part === "h" ? 6 : 4;
  if (ints.length !== ids.length * stride) throw new Error(`cell counts: ${ids.length} runs but ${ints.length} numbers (${stride} per run expected)`);
  const runs = new Int32Array(ids.length);
  const values = new Int32Array(ids.length * VALUES_PER_RUN);
  for (let i = 0; i < ids.length; i++) {
    let r = runIndex.get(ids[i]);
    if (r === undefined) {
      r = runIds.push(ids[i]) - 1;
      runIndex.set(ids[i], r);
    }
    runs[i] = r;
    const o = i * VALUES_PER_RUN;
    const s = i * stride;
    for (let k = 0; k < 4; k++) values[o + k] = ints[s + k];
    if (stride === 6) {
      values[o + VALUE.adjudicated] = ints[s + 4];
      values[o + VALUE.consensus] = ints[s + 5];
    } else values[o + VALUE.judge] = ints[s] + ints[s + 1] + ints[s + 2] + ints[s + 3];
  }
  return { datasetId: row.datasetId, subcategoryId: row.subcategoryId, expectation: row.expectation, runs, values };
}

/** One CountCell per cell (the parts of a `best` cell added up), in order of first appearance. */
export function cellsOf(counts: CellCounts): CountCell[] {
  const byKey = new Map<string, CountCell>();
  for (const g of counts.groups) {
    for (let i = 0; i < g.runs.length; i++) {
      const runId = counts.runIds[g.runs[i]];
      const key = JSON.stringify([runId, g.datasetId, g.subcategoryId, g.expectation]);
      let cell = byKey.get(key);
      if (!cell) {
        cell = { runId, datasetId: g.datasetId, subcategoryId: g.subcategoryId, expectation: g.expectation, counts: emptyCounts(), sources: { adjudicated: 0, consensus: 0, judge: 0 } };
        byKey.set(key, cell);
      }
      const o = i * VALUES_PER_RUN;
      cell.counts.complied += g.values[o + VALUE.complied];
      cell.counts.noncompliant += g.values[o + VALUE.noncompliant];
      cell.counts.partial += g.values[o + VALUE.partial];
      cell.counts.unclear += g.values[o + VALUE.unclear];
      cell.sources.adjudicated += g.values[o + VALUE.adjudicated];
      cell.sources.consensus += g.values[o + VALUE.consensus];
      cell.sources.judge += g.values[o + VALUE.judge];
    }
  }
  return [...byKey.values()];
}

/** CountCells as CellCounts, one group per cell (tests and small inputs). */
export function countsOfCells(cells: CountCell[]): CellCounts {
  const runIds: string[] = [];
  const runIndex = new Map<string, number>();
  const groups = cells.map((c): CountGroup => {
    let r = runIndex.get(c.runId);
    if (r === undefined) runIndex.set(c.runId, (r = runIds.push(c.runId) - 1));
    const { complied, noncompliant, partial, unclear } = c.counts;
    const values = Int32Array.of(complied, noncompliant, partial, unclear, c.sources.adjudicated, c.sources.consensus, c.sources.judge);
    return { datasetId: c.datasetId, subcategoryId: c.subcategoryId, expectation: c.expectation, runs: Int32Array.of(r), values };
  });
  return { runIds, groups };
}
