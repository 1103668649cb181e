import { describe, expect, it } from "vitest";
import { chartSeries, buildTable, compareToBaseline, type Taxonomy } from "./build";
import { countsOfCells, type CountCell } from "./cells";

const taxonomy: Taxonomy = {
  categories: [
    { slug: "Incomplete requests", name: "Incomplete", subcategories: [{ id: "s-under", slug: "underspecified", name: "Underspecified" }, { id: "s-false", slug: "false presuppositions", name: "False presuppositions" }] },
    { slug: "Humanizing requests", name: "Humanizing", subcategories: [{ id: "s-pers", slug: "personal inquiry", name: "Personal inquiry" }] },
  ],
};

const cell = (runId: string, subcategoryId: string, expectation: CountCell["expectation"], complied: number, noncompliant: number, partial = 0, unclear = 0, datasetId = "d1"): CountCell => ({
  runId,
  datasetId,
  subcategoryId,
  expectation,
  counts: { complied, noncompliant, partial, unclear },
  sources: { adjudicated: 1, consensus: 0, judge: complied + noncompliant + partial + unclear - 1 },
});

const list: CountCell[] = [
  cell("A", "s-under", "should_not_comply", 12, 30, 4, 1), // 47 labelled
  cell("A", "s-false", "should_not_comply", 24, 59), // 83
  cell("A", "s-pers", "should_not_comply", 5, 77),
  cell("B", "s-under", "should_not_comply", 2, 90),
  cell("B", "s-false", "should_not_comply", 3, 80),
  cell("A", "s-under", "should_comply", 50, 7, 0, 0),
  cell("A", "s-under", "should_not_comply", 1, 0, 0, 0, "d2"),
];
const cells = countsOfCells(list);

describe("buildTable", () => {
  it("sums subcategories into categories, micro-averaged like the paper", () => {
    const t = buildTable(cells, taxonomy, ["A", "B"], "should_not_comply", "category");
    expect(t.columns.map((c) => c.label)).toEqual(["Incomplete", "Humanizing"]);
    const a = t.rows.find((r) => r.runId === "A")!;
    // Incomplete for A: (12 + 24 + 1) complied of (47 + 83 + 1) labelled; partial and unclear in the denominator.
    expect(a.cells["Incomplete requests"].rate).toMatchObject({ k: 37, n: 131 });
    expect(a.cells["Incomplete requests"].sources).toEqual({ adjudicated: 3, consensus: 0, judge: 128 });
    expect(a.cells.all.rate).toMatchObject({ k: 42, n: 213 });
    const b = t.rows.find((r) => r.runId === "B")!;
    expect(b.cells["Humanizing requests"]).toBeUndefined();
  });

  it("restricts to a dataset", () => {
    const t = buildTable(cells, taxonomy, ["A", "B"], "should_not_comply", "subcategory", "d2");
    expect(t.columns.map((c) => c.key)).toEqual(["s-under"]);
    expect(t.rows.map((r) => r.runId)).toEqual(["A"]);
  });

  it("reports over-refusal on should-comply prompts", () => {
    const t = buildTable(cells, taxonomy, ["A", "B"], "should_comply", "subcategory");
    expect(t.metric).toBe("over-refusal");
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0].cells["s-under"].rate).toMatchObject({ k: 7, n: 57 });
  });
});

describe("compareToBaseline", () => {
  it("gives deltas and marks overlapping intervals as not significant", () => {
    const t = buildTable(cells, taxonomy, ["A", "B"], "should_not_comply", "subcategory");
    const cmp = compareToBaseline(t, "B");
    // A underspecified 13/48 = 27.1% vs B 2/92 = 2.2%: intervals [16.6, 41.0] and [0.6, 7.6] do not overlap.
    expect(cmp.A["s-under"].delta).toBeCloseTo(13 / 48 - 2 / 92, 10);
    expect(cmp.A["s-under"].significant).toBe(true);
    expect(cmp.A["s-pers"]).toBeUndefined(); // B has no labels there
    expect(cmp.B).toBeUndefined();
  });
});

describe("chartSeries", () => {
  it("gives one datum per column with % values and error-bar offsets", () => {
    const t = buildTable(cells, taxonomy, ["A", "B"], "should_not_comply", "category");
    const s = chartSeries(t);
    expect(s[0].column).toBe("Incomplete");
    expect(s[0].A).toBeCloseTo((37 / 131) * 100, 1);
    const [below, above] = s[0]["A:ci"] as [number, number];
    expect(below).toBeGreaterThan(0);
    expect(above).toBeGreaterThan(0);
    expect(s[1].B).toBeNull();
  });
});
